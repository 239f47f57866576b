import type { AccountRecord, AccountResult, AccountStatus } from './account.js';
import { emptyCounts, type StatusCounts } from './progress.js';
import { providerFamily } from './providers.js';
import type { EnvironmentTag, MigrationRequest } from './request.js';

/** Lists in Slack messages are cut to this many, with a pointer to the CSV. */
export const LIST_LIMIT = 20;

export type RunOutcome = 'completed' | 'cancelled' | 'failed';

export interface ReauthenticateEntry {
  email: string;
  provider: string;
  status: AccountStatus;
}

export interface MigrationSummary {
  migrationId: string;
  v2AppId: string;
  v3AppId: string;
  title: string;
  environment: EnvironmentTag;
  mode: MigrationRequest['mode'];
  outcome: RunOutcome;
  /** Why a failed run stopped, in plain words. */
  reason?: string | undefined;
  total: number;
  counts: StatusCounts;
  /** v2 provider → status → count. */
  byProvider: Record<string, Partial<Record<AccountStatus, number>>>;
  /** Provider family → accounts, for the checklist. */
  byFamily: Record<string, number>;
  durationMs: number;
  cloneCalls: number;
  /** Clone requests per second while cloning. */
  cloneRate: number;
  reauthenticate: ReauthenticateEntry[];
  reauthenticateTotal: number;
  checklist: string[];
}

/** Folds rows one at a time, so a summary of any size holds only counters and the first 20 names. */
export function createSummaryAccumulator() {
  const counts = emptyCounts();
  const byProvider: MigrationSummary['byProvider'] = {};
  const byFamily: Record<string, number> = {};
  const reauthenticate: ReauthenticateEntry[] = [];
  let reauthenticateTotal = 0;
  let total = 0;
  return {
    add(account: AccountRecord, result: AccountResult | undefined) {
      const status = result?.status ?? 'failed';
      total++;
      counts[status]++;
      const perProvider = byProvider[account.provider] ?? {};
      perProvider[status] = (perProvider[status] ?? 0) + 1;
      byProvider[account.provider] = perProvider;
      const family = providerFamily(account.provider);
      byFamily[family] = (byFamily[family] ?? 0) + 1;
      const mustReauthenticate =
        status === 'placeholder' ||
        (status === 'failed' && /authenticate/i.test(result?.actionRequired ?? ''));
      if (mustReauthenticate) {
        reauthenticateTotal++;
        if (reauthenticate.length < LIST_LIMIT)
          reauthenticate.push({ email: account.email, provider: account.provider, status });
      }
    },
    result() {
      return { total, counts, byProvider, byFamily, reauthenticate, reauthenticateTotal };
    },
  };
}
