import { z } from 'zod';

/** What we keep of a v2 account: the report's first columns, in the v2 listing's order. */
export const accountRecordSchema = z.object({
  id: z.string(),
  email: z.string(),
  provider: z.string(),
  syncState: z.string(),
  billingState: z.string(),
});
export type AccountRecord = z.infer<typeof accountRecordSchema>;

export const ACCOUNT_STATUSES = ['migrated', 'placeholder', 'failed', 'skipped', 'cancelled'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

/** The outcome of one account, written once, the moment it is known. */
export const accountResultSchema = z.object({
  status: z.enum(ACCOUNT_STATUSES),
  grantId: z.string().optional(),
  grantStatus: z.string().optional(),
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
  actionRequired: z.string().optional(),
  /** The grant already existed (an earlier run or a clone that landed before a crash): not cloned again. */
  existingGrant: z.boolean().optional(),
  /** Carried over unchanged from the run this one retries. */
  carriedOver: z.boolean().optional(),
  at: z.number(),
});
export type AccountResult = z.infer<typeof accountResultSchema>;
