import type { AccountStatus } from '../account.js';
import type { StatusCounts } from '../progress.js';
import type { PredictionRule } from './predict.js';

/** One trigger of one v2 webhook, and what replaces it on v3. */
export interface WebhookRow {
  callbackUrl: string;
  state: string;
  v2Trigger: string;
  v3Trigger: string | undefined;
  note?: string | undefined;
}

/** What a plan found and predicts; the thread shows it as tables, the CSV has the rows. */
export interface PlanReport {
  total: number;
  counts: StatusCounts;
  /** v2 provider → predicted status → accounts. */
  byProvider: Record<string, Partial<Record<AccountStatus, number>>>;
  /** Which rule decided how many accounts. */
  byRule: Partial<Record<PredictionRule, number>>;
  /** What to create or fix on the v3 app before migrating, one line each. */
  connectorTodo: string[];
  /** v3 connectors the run will have: on the v3 app now, plus those the import creates. */
  connectorsAfterImport: string[];
  /** v2 redirect URIs the import copies to the v3 app. */
  redirectUris: string[];
  webhooks: WebhookRow[];
  alreadyLinked: boolean;
  existingGrants: number;
  /** Migration-API calls the real run would make (link, import, one clone per account to clone). */
  migrationCalls: { link: number; import: number; clones: number };
  /** Read calls the real run adds (grant lookups, settings, connectors). */
  readCalls: number;
  ratePerSecond: number;
  estimatedSeconds: number;
}

export type PlanOutcome =
  | { kind: 'planned'; report: PlanReport }
  | { kind: 'cancelled'; by: string }
  | { kind: 'failed'; reason: string };
