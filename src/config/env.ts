import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../shared/logger.js';
import { Secret } from '../shared/secret.js';
import { type ApprovalTag, parseApprovalEnvironments } from './approval-environments.js';
import { ConfigError } from './config-error.js';
import { parseRedisTarget } from './redis-target.js';
import type { Region } from './regions.js';

/** Which parts of the app this process runs; each needs a different subset of the environment. */
export type Role = 'all' | 'bot' | 'worker';

export interface Env {
  readonly slackBotToken: Secret;
  readonly slackSigningSecret: Secret | undefined;
  readonly slackAppToken: Secret | undefined;
  readonly slackApiUrl: string;
  readonly port: number;
  readonly redisUrl: Secret;
  /** A port of its own for `GET /metrics` (workers); the bot also serves it on `port`. */
  readonly metricsPort: number | undefined;
  readonly nylasAppsFile: string;
  readonly nylasHosts: Readonly<
    Record<Region, { readonly v2: string | undefined; readonly v3: string | undefined }>
  >;
  readonly allowedUsers: readonly string[] | undefined;
  readonly allowedUsergroup: string | undefined;
  readonly slackTeamId: string | undefined;
  readonly migrateChannel: string | undefined;
  readonly logLevel: LogLevel;
  /** MIGRATE_APPROVAL_ENVIRONMENTS: migrations tagged with these wait for a second admin's Approve. */
  readonly approvalEnvironments: readonly ApprovalTag[];
}

const slackId = (prefixes: string, what: string) =>
  z.string().regex(new RegExp(`^[${prefixes}][A-Z0-9_]+$`), `must be a Slack ${what} id`);

const httpUrl = z
  .string()
  .refine(
    (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
    'must be an http(s) URL',
  );

/**
 * One schema per variable, so a mistake is reported with the variable's name. `secret` marks values
 * that must never be echoed back in an error message.
 */
const variables = {
  SLACK_BOT_TOKEN: { schema: z.string().startsWith('xoxb-', 'must be a bot token (xoxb-…)'), secret: true },
  SLACK_SIGNING_SECRET: { schema: z.string().min(8, 'looks too short'), secret: true },
  SLACK_APP_TOKEN: {
    schema: z.string().startsWith('xapp-', 'must be an app-level token (xapp-…)'),
    secret: true,
  },
  SLACK_API_URL: { schema: httpUrl.refine((v) => v.endsWith('/api/'), 'must end in /api/'), secret: false },
  PORT: {
    schema: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .refine((n) => n > 0 && n < 65536, 'must be between 1 and 65535'),
    secret: false,
  },
  METRICS_PORT: {
    schema: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .refine((n) => n > 0 && n < 65536, 'must be between 1 and 65535'),
    secret: false,
  },
  REDIS_URL: {
    schema: z.string().superRefine((v, ctx) => {
      const target = parseRedisTarget(v);
      if ('error' in target) ctx.addIssue({ code: 'custom', message: target.error });
    }),
    secret: true, // may carry a password
  },
  NYLAS_APPS_FILE: { schema: z.string().min(1), secret: false },
  NYLAS_V2_API_URL_US: { schema: httpUrl, secret: false },
  NYLAS_V2_API_URL_EU: { schema: httpUrl, secret: false },
  NYLAS_V3_API_URL_US: { schema: httpUrl, secret: false },
  NYLAS_V3_API_URL_EU: { schema: httpUrl, secret: false },
  MIGRATE_ALLOWED_USERS: {
    schema: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      )
      .pipe(z.array(slackId('UW', 'user')).min(1, 'must list at least one user id')),
    secret: false,
  },
  MIGRATE_ALLOWED_USERGROUP: { schema: slackId('S', 'user group'), secret: false },
  SLACK_TEAM_ID: { schema: slackId('TE', 'workspace'), secret: false },
  MIGRATE_CHANNEL: { schema: slackId('CGD', 'channel'), secret: false },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), secret: false },
} as const;

type VariableName = keyof typeof variables;
type Parsed = { [K in VariableName]?: z.output<(typeof variables)[K]['schema']> };

/**
 * Parses the environment once. Empty strings count as unset (a blank line in a .env file should not
 * silently become a value). Throws {@link ConfigError} naming the first bad variable.
 */
export function loadEnv(source: NodeJS.ProcessEnv, role: Role): Env {
  const parsed: Parsed = {};
  for (const name of Object.keys(variables) as VariableName[]) {
    const raw = source[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const { schema, secret } = variables[name];
    const result = schema.safeParse(raw);
    if (!result.success) {
      const reason = result.error.issues[0]?.message ?? 'is invalid';
      const shown = secret ? '' : ` (got "${raw.length > 80 ? `${raw.slice(0, 80)}…` : raw}")`;
      throw new ConfigError(`${name} ${reason}${shown}`);
    }
    (parsed as Record<string, unknown>)[name] = result.data;
  }

  if (parsed.SLACK_BOT_TOKEN === undefined) {
    throw new ConfigError('SLACK_BOT_TOKEN is required (the bot token, xoxb-…)');
  }
  const runsBot = role !== 'worker';
  if (runsBot && parsed.SLACK_APP_TOKEN === undefined && parsed.SLACK_SIGNING_SECRET === undefined) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }

  const optionalSecret = (value: string | undefined) => (value === undefined ? undefined : new Secret(value));
  return Object.freeze({
    slackBotToken: new Secret(parsed.SLACK_BOT_TOKEN),
    slackSigningSecret: optionalSecret(parsed.SLACK_SIGNING_SECRET),
    slackAppToken: optionalSecret(parsed.SLACK_APP_TOKEN),
    slackApiUrl: parsed.SLACK_API_URL ?? 'https://slack.com/api/',
    port: parsed.PORT ?? 3000,
    metricsPort: parsed.METRICS_PORT,
    redisUrl: new Secret(parsed.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    nylasAppsFile: parsed.NYLAS_APPS_FILE ?? './nylas-apps.yml',
    nylasHosts: Object.freeze({
      us: Object.freeze({ v2: parsed.NYLAS_V2_API_URL_US, v3: parsed.NYLAS_V3_API_URL_US }),
      eu: Object.freeze({ v2: parsed.NYLAS_V2_API_URL_EU, v3: parsed.NYLAS_V3_API_URL_EU }),
    }),
    allowedUsers: parsed.MIGRATE_ALLOWED_USERS ? Object.freeze([...parsed.MIGRATE_ALLOWED_USERS]) : undefined,
    allowedUsergroup: parsed.MIGRATE_ALLOWED_USERGROUP,
    slackTeamId: parsed.SLACK_TEAM_ID,
    migrateChannel: parsed.MIGRATE_CHANNEL,
    logLevel: parsed.LOG_LEVEL ?? 'info',
    approvalEnvironments: parseApprovalEnvironments(source.MIGRATE_APPROVAL_ENVIRONMENTS),
  });
}
