import { z } from 'zod';

/**
 * Optional fields may come back missing or `null` (Nylas serialises empty values either way): both
 * read as absent, so a `null` never fails a run. Only what the bot cannot work without is required.
 */
const absent = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((v) => v ?? undefined)
    .optional();

/** Every v3 answer is wrapped: `{request_id, data}`; lists add `limit`/`offset` or `next_cursor`. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({
    request_id: absent(z.string()),
    data,
    limit: absent(z.number()),
    offset: absent(z.number()),
    next_cursor: absent(z.string()),
  });
}

/** Branding is read and written back whole (PATCH replaces nested objects), so unknown keys are kept. */
export const brandingSchema = z.looseObject({
  name: absent(z.string()),
  icon_url: absent(z.string()),
  website_url: absent(z.string()),
  description: absent(z.string()),
});
export type Branding = z.infer<typeof brandingSchema>;

export const v3ApplicationSchema = z.looseObject({
  application_id: z.string(),
  organization_id: absent(z.string()),
  region: absent(z.string()),
  environment: absent(z.string()),
  v2_application_id: absent(z.string()),
  branding: absent(brandingSchema),
  callback_uris: absent(z.array(z.looseObject({ url: absent(z.string()), platform: absent(z.string()) }))),
});
export type V3Application = z.infer<typeof v3ApplicationSchema>;

/** The spec's environment enum; the Dashboard's "Development" has no value of its own here. */
export const V3_ENVIRONMENTS = ['production', 'staging'] as const;
export type V3Environment = (typeof V3_ENVIRONMENTS)[number];

export const connectorSchema = z.object({
  provider: z.string(),
  name: absent(z.string()),
  settings: absent(z.record(z.string(), z.unknown())),
  scope: absent(z.array(z.string())),
  active_credential_id: absent(z.string()),
});
export type Connector = z.infer<typeof connectorSchema>;

/**
 * A grant. `grant_status` is a plain string, maybe missing: the spec says valid or invalid, but a
 * grant can also be `blocked`, and an unknown value must reach the report verbatim, not fail the run.
 */
export const grantSchema = z.object({
  id: z.string().min(1),
  account_id: absent(z.string()),
  email: absent(z.string()),
  provider: absent(z.string()),
  grant_status: absent(z.string()),
  created_at: absent(z.number()),
  scope: absent(z.array(z.string())),
});
export type Grant = z.infer<typeof grantSchema>;

export const migrationJobSchema = z.object({
  job_id: z.string(),
  type: z.string(),
  public_application_id: absent(z.string()),
  status: z.string(),
  count_all: absent(z.number()),
  count_success: absent(z.number()),
  count_failed: absent(z.number()),
  count_warning: absent(z.number()),
  created_at: absent(z.number()),
  updated_at: absent(z.number()),
  linked_job_id: absent(z.string()),
});
export type MigrationJob = z.infer<typeof migrationJobSchema>;

/** The spec says a string; its prose says "a list of two jobs". Accept both and keep it opaque. */
export const importResultSchema = z.union([
  z.string(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);
