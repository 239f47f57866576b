import type { AccountRecord, AccountResult } from '../account.js';
import type { RunCheckpoint, RunStore } from '../ports.js';
import { emptyCounts, type StatusCounts } from '../progress.js';

/**
 * A plan's records, in memory: the listing and the predicted rows live only as long as the plan job
 * (a plan is cheap to run again; nothing of it must outlive the job or be read by a real run).
 * It is a full {@link RunStore}, so the real run's listing step and report writer work on it as is.
 */
export function createPlanStore(cancelRequested: () => Promise<string | undefined>): RunStore {
  let checkpoint: RunCheckpoint = {
    stepsDone: [],
    listedThrough: 0,
    listingComplete: false,
    cloneElapsedMs: 0,
    cloneCalls: 0,
  };
  const accounts: AccountRecord[] = [];
  const seen = new Set<string>();
  const results = new Map<string, AccountResult>();
  return {
    checkpoint: async () => checkpoint,
    async saveCheckpoint(patch) {
      checkpoint = { ...checkpoint, ...patch };
    },
    async appendAccounts(page, listedThrough, complete) {
      for (const account of page) {
        if (seen.has(account.id)) continue;
        seen.add(account.id);
        accounts.push(account);
      }
      checkpoint = { ...checkpoint, listedThrough, listingComplete: complete };
    },
    async writeResults(entries) {
      for (const { account, result } of entries) results.set(account.id, result);
    },
    async counts(): Promise<StatusCounts> {
      const counts = emptyCounts();
      for (const result of results.values()) counts[result.status]++;
      return counts;
    },
    cancelRequested,
    // The form's "already linked" check learns links from real runs only: a plan changes nothing.
    rememberLink: async () => {},
    accountCount: async () => accounts.length,
    accounts: async (start, endInclusive) => accounts.slice(start, endInclusive + 1),
    results: async (ids) => ids.map((id) => results.get(id)),
  };
}
