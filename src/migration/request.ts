import { z } from 'zod';

/** The Dashboard's environment tags; the v3 API itself knows only production and staging. */
export const ENVIRONMENT_TAGS = ['Development', 'Staging', 'Production'] as const;
export type EnvironmentTag = (typeof ENVIRONMENT_TAGS)[number];

/** Provider families an admin can choose to include; each v2 provider belongs to one. */
export const PROVIDER_FAMILIES = ['google', 'microsoft', 'imap', 'icloud', 'yahoo', 'other'] as const;
export type ProviderFamily = (typeof PROVIDER_FAMILIES)[number];

export const TITLE_MAX = 64;
export const DESCRIPTION_MAX = 500;

/** Ids become Redis keys and BullMQ job ids: no `:` (BullMQ refuses it) and not all digits. */
export const migrationIdSchema = z.string().regex(/^mig_[a-z0-9]{8,40}$/, 'is not a migration id');

const appIdSchema = z.string().min(1).max(150);
const slackIdSchema = z.string().regex(/^[A-Z][A-Z0-9_]{1,40}$/);

export const migrationOptionsSchema = z.object({
  /** `allow_invalid_grant_creation`: placeholder grants for accounts that can't be migrated. */
  placeholders: z.boolean().default(true),
  /** `clone_exchange`: placeholder grants for Microsoft accounts that can't be migrated. */
  microsoftPlaceholders: z.boolean().default(true),
  /** Provider families to include; all when absent. */
  providers: z.array(z.enum(PROVIDER_FAMILIES)).min(1).optional(),
  /** Skip v2 accounts whose billing state is cancelled or deleted. */
  skipInactiveBilling: z.boolean().default(true),
});
export type MigrationOptions = z.infer<typeof migrationOptionsSchema>;

/**
 * Everything a migration run needs, and nothing secret: the worker resolves secrets from the registry.
 * This is the BullMQ job data and the stored request; it is parsed again wherever it is read.
 */
export const migrationRequestSchema = z.object({
  migrationId: migrationIdSchema,
  v2AppId: appIdSchema,
  v3AppId: appIdSchema,
  title: z.string().trim().min(1).max(TITLE_MAX),
  environment: z.enum(ENVIRONMENT_TAGS),
  description: z.string().trim().max(DESCRIPTION_MAX).optional(),
  options: migrationOptionsSchema,
  /**
   * `all` clones every account; `only_failed` retries what failed or was cancelled in `retryOf`;
   * `plan` is a dry run (plan/run-plan.ts): read calls only, a prediction per account, no reservation.
   */
  mode: z.enum(['all', 'only_failed', 'plan']).default('all'),
  retryOf: migrationIdSchema.optional(),
  requestedBy: slackIdSchema,
  teamId: slackIdSchema.optional(),
  slack: z
    .object({
      channel: slackIdSchema,
      threadTs: z
        .string()
        .regex(/^\d+\.\d+$/)
        .optional(),
    })
    .optional(),
  createdAt: z.number().int().positive(),
  /**
   * Who approved the run, when its environment needed a second admin: a copy in the job data for the
   * thread's messages. The worker decides on the record in Redis, never on this.
   */
  approval: z
    .object({ decision: z.literal('approved'), by: slackIdSchema, at: z.number().int().positive() })
    .optional(),
});
export type MigrationRequest = z.infer<typeof migrationRequestSchema>;
export type MigrationRequestInput = z.input<typeof migrationRequestSchema>;

/** The v3 API's `environment` for a Dashboard tag. Development has no API value: it is sent as staging
 * (the non-production one) and the exact tag is kept in our migration record and shown in the thread. */
export function apiEnvironmentFor(tag: EnvironmentTag): 'production' | 'staging' {
  return tag === 'Production' ? 'production' : 'staging';
}

export function newMigrationId(now = Date.now()): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) =>
    b.toString(36).padStart(2, '0'),
  ).join('');
  return `mig_${now.toString(36)}${random}`;
}
