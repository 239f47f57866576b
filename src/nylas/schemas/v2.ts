import { z } from 'zod';

/** `GET /a/{client_id}` */
export const v2ApplicationSchema = z.object({
  application_name: z.string().nullish(),
  icon_url: z.string().nullish(),
  redirect_uris: z.array(z.string()).nullish(),
});
export type V2Application = z.infer<typeof v2ApplicationSchema>;

/**
 * One v2 account. Provider and states stay plain strings: v2 knew more values than its docs listed,
 * and an unknown one must show in the report, not break the listing.
 */
export const v2AccountSchema = z.object({
  id: z.string().min(1),
  account_id: z.string().optional(),
  email: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
  name: z.string().nullish(),
  provider: z
    .string()
    .nullish()
    .transform((v) => v ?? 'unknown'),
  sync_state: z
    .string()
    .nullish()
    .transform((v) => v ?? 'unknown'),
  billing_state: z
    .string()
    .nullish()
    .transform((v) => v ?? 'unknown'),
  authentication_type: z.string().nullish(),
  trial: z.boolean().nullish(),
  namespace_id: z.string().nullish(),
});
export type V2Account = z.infer<typeof v2AccountSchema>;

/** `GET /a/{client_id}/accounts` answers a bare array. */
export const v2AccountPageSchema = z.array(v2AccountSchema);

/** One v2 webhook (`GET /a/{client_id}/webhooks`); unknown states and triggers are kept verbatim. */
export const v2WebhookSchema = z.object({
  id: z.string().min(1),
  callback_url: z.string(),
  state: z
    .string()
    .nullish()
    .transform((v) => v ?? 'unknown'),
  triggers: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  version: z.string().nullish(),
});
export type V2Webhook = z.infer<typeof v2WebhookSchema>;

/** `GET /a/{client_id}/webhooks` answers a bare array. */
export const v2WebhookListSchema = z.array(v2WebhookSchema);
