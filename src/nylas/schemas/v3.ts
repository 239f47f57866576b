import { z } from 'zod';

/** Every v3 answer is wrapped: `{request_id, data}`; lists add `limit`/`offset` or `next_cursor`. */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({
    request_id: z.string().optional(),
    data,
    limit: z.number().optional(),
    offset: z.number().optional(),
    next_cursor: z.string().nullish(),
  });
}

/** Branding is read and written back whole (PATCH replaces nested objects), so unknown keys are kept. */
export const brandingSchema = z.looseObject({
  name: z.string().optional(),
  icon_url: z.string().optional(),
  website_url: z.string().optional(),
  description: z.string().optional(),
});
export type Branding = z.infer<typeof brandingSchema>;

export const v3ApplicationSchema = z.looseObject({
  application_id: z.string(),
  organization_id: z.string().optional(),
  region: z.string().optional(),
  environment: z.string().optional(),
  v2_application_id: z.string().nullish(),
  branding: brandingSchema.optional(),
  callback_uris: z
    .array(z.looseObject({ url: z.string().optional(), platform: z.string().optional() }))
    .optional(),
});
export type V3Application = z.infer<typeof v3ApplicationSchema>;

/** The spec's environment enum; the Dashboard's "Development" has no value of its own here. */
export const V3_ENVIRONMENTS = ['production', 'staging'] as const;
export type V3Environment = (typeof V3_ENVIRONMENTS)[number];

export const connectorSchema = z.object({
  provider: z.string(),
  name: z.string().optional(),
  settings: z.record(z.string(), z.unknown()).nullish(),
  scope: z.array(z.string()).nullish(),
  active_credential_id: z.string().nullish(),
});
export type Connector = z.infer<typeof connectorSchema>;

export const grantSchema = z.object({
  id: z.string().min(1),
  account_id: z.string().nullish(),
  email: z.string().nullish(),
  provider: z.string(),
  grant_status: z.string().nullish(),
  created_at: z.number().optional(),
  scope: z.array(z.string()).nullish(),
});
export type Grant = z.infer<typeof grantSchema>;

export const migrationJobSchema = z.object({
  job_id: z.string(),
  type: z.string(),
  public_application_id: z.string().optional(),
  status: z.string(),
  count_all: z.number(),
  count_success: z.number(),
  count_failed: z.number(),
  count_warning: z.number().optional(),
  created_at: z.number().optional(),
  updated_at: z.number().optional(),
  linked_job_id: z.string().nullish(),
});
export type MigrationJob = z.infer<typeof migrationJobSchema>;

/** The spec says a string; its prose says "a list of two jobs". Accept both and keep it opaque. */
export const importResultSchema = z.union([
  z.string(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);
