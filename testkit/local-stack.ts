import { Redis } from 'ioredis';
import { type RunningServices, type ServiceOptions, startServices } from '../src/app/services.js';
import { type AppsRegistry, parseAppsRegistry } from '../src/config/apps-registry.js';
import { loadEnv } from '../src/config/env.js';
import { migrationJobKeyPrefix } from '../src/queue/migration-queue.js';
import type { Logger } from '../src/shared/logger.js';
import { deleteKeysUnder } from '../src/store/delete-prefix.js';
import { createMigrationRecords, type MigrationRecords } from '../src/store/migration-records.js';
import { type NylasSim, type NylasSimOptions, startNylasSim } from './nylas-sim/index.js';
import { SIGNING_SECRET } from './slack-sim/driver.js';
import { type SlackSim, type SlackSimOptions, startSlackSim } from './slack-sim/index.js';

/** The apps every local stack serves: a US pair with accounts, a second US pair, an EU v3 app. */
export const LOCAL_APPS = {
  v2: { clientId: 'v2-acme', clientSecret: 'v2-acme-secret', name: 'Acme v2' },
  v2Other: { clientId: 'v2-other', clientSecret: 'v2-other-secret', name: 'Other v2' },
  v3: { applicationId: 'v3-acme', apiKey: 'nyk_v0_acme', name: 'Acme v3' },
  v3Other: { applicationId: 'v3-other', apiKey: 'nyk_v0_other', name: 'Other v3' },
  v3Eu: { applicationId: 'v3-eu', apiKey: 'nyk_v0_eu', name: 'Acme EU' },
} as const;

export interface LocalStackOptions {
  accounts?: number;
  otherAccounts?: number;
  nylas?: Partial<NylasSimOptions>;
  slack?: SlackSimOptions;
  /** Extra apps file entries after the local ones (YAML list items), e.g. to have more than 100 apps. */
  extraApps?: { v2?: string[]; v3?: string[] };
  /** Extra environment (e.g. MIGRATE_CHANNEL, SLACK_TEAM_ID). */
  env?: Record<string, string>;
  redisUrl: string;
  prefix: string;
  logger: Logger;
  http?: ServiceOptions['http'];
  worker?: ServiceOptions['worker'];
  /** How long a migration waits for a second admin (a short one in tests). */
  approvalWindowMs?: number;
  /** The App Home's throttle and viewer TTL (tests use a short throttle). */
  home?: ServiceOptions['home'];
}

export function localRegistryYaml(extra: LocalStackOptions['extraApps'] = {}): string {
  const { v2, v2Other, v3, v3Other, v3Eu } = LOCAL_APPS;
  const more = (items: string[] | undefined) => (items ?? []).map((item) => `  - ${item}\n`).join('');
  return `v2_apps:
  - {id: ${v2.clientId}, name: ${v2.name}, region: us, client_secret: ${v2.clientSecret}}
  - {id: ${v2Other.clientId}, name: ${v2Other.name}, region: us, client_secret: ${v2Other.clientSecret}}
${more(extra.v2)}v3_apps:
  - {id: ${v3.applicationId}, name: ${v3.name}, region: us, api_key: ${v3.apiKey}}
  - {id: ${v3Other.applicationId}, name: ${v3Other.name}, region: us, api_key: ${v3Other.apiKey}}
  - {id: ${v3Eu.applicationId}, name: ${v3Eu.name}, region: eu, api_key: ${v3Eu.apiKey}}
${more(extra.v3)}`;
}

export interface LocalStack {
  nylas: NylasSim;
  slack: SlackSim;
  registry: AppsRegistry;
  services: RunningServices;
  botUrl: string;
  redis: Redis;
  records: MigrationRecords;
  close(): Promise<void>;
}

/**
 * The whole product on this machine: the Nylas simulator, the Slack stand-in, the real bot (Bolt's HTTP
 * receiver on a random port) and a real worker, on real Redis under `prefix`. Used by the end-to-end
 * tests and the benchmarks; everything is real but Slack's and Nylas's servers.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { v2, v2Other, v3, v3Other, v3Eu } = LOCAL_APPS;
  const nylas = await startNylasSim({
    v2Apps: [
      { ...v2, accounts: options.accounts ?? 120, seed: 21, region: 'us' },
      { ...v2Other, accounts: options.otherAccounts ?? 30, seed: 22, region: 'us' },
    ],
    v3Apps: [
      { ...v3, region: 'us' },
      { ...v3Other, region: 'us' },
      { ...v3Eu, region: 'eu' },
    ],
    ...options.nylas,
  });
  const slack = await startSlackSim(options.slack);
  const registry = parseAppsRegistry(localRegistryYaml(options.extraApps), 'local-registry', {});
  const env = loadEnv(
    {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: options.redisUrl,
      NYLAS_V2_API_URL_US: nylas.url,
      NYLAS_V3_API_URL_US: nylas.url,
      NYLAS_V2_API_URL_EU: nylas.url,
      NYLAS_V3_API_URL_EU: nylas.url,
      // No second-admin step unless a test or benchmark asks for one (production's default is Production).
      MIGRATE_APPROVAL_ENVIRONMENTS: '',
      ...options.env,
    },
    'all',
  );
  let services: RunningServices;
  try {
    services = await startServices({
      env,
      registry,
      role: 'all',
      logger: options.logger,
      prefix: options.prefix,
      ...(options.http ? { http: options.http } : {}),
      ...(options.worker ? { worker: options.worker } : {}),
      ...(options.home ? { home: options.home } : {}),
      bot: { host: '127.0.0.1', port: 0 },
      ...(options.approvalWindowMs ? { approvalWindowMs: options.approvalWindowMs } : {}),
      // The stand-in plays Slack's 1 message/s per channel only when asked: then the production
      // spacing; otherwise a short one, so tests and the demo are not paced for a limit that is off.
      ...(options.slack?.rateLimits ? {} : { slackPostSpacingMs: 25 }),
    });
  } catch (error) {
    await slack.close();
    await nylas.close();
    throw error;
  }
  const redis = new Redis(options.redisUrl);
  return {
    nylas,
    slack,
    registry,
    services,
    botUrl: `http://127.0.0.1:${services.bot?.port}`,
    redis,
    records: createMigrationRecords(redis, options.prefix, migrationJobKeyPrefix(options.prefix)),
    async close() {
      await services.close();
      await deleteKeysUnder(redis, options.prefix);
      await redis.quit();
      await slack.close();
      await nylas.close();
    },
  };
}
