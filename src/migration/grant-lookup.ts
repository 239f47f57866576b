import type { Grant } from '../nylas/schemas/v3.js';
import type { V3Client } from '../nylas/v3-client.js';
import { sleep } from '../shared/sleep.js';

/** Finds the grants that already exist for v2 accounts: what keeps a clone from being made twice. */
export interface GrantLookup {
  find(accountIds: readonly string[], signal?: AbortSignal): Promise<Grant[]>;
}

/** How `account_ids=a,b` is read by this Nylas: unknown until the app has migrated grants to test it on. */
export type LookupReading = 'unknown' | 'lists' | 'one-by-one';

const SAMPLE_LIMIT = 200;

/**
 * The spec types `account_ids` as a string and names no separator. If Nylas read `a,b` otherwise and
 * answered `[]`, every existing grant would look missing and a resumed run or Retry failed would clone
 * again. So the comma list is calibrated before it is trusted: once the v3 app has migrated grants, a
 * lookup of two known accounts must return both; if it does not, lookups go one `account_id` at a
 * time (documented as one id), which costs a request per account — said once through `warn` — paced
 * at `lookupsPerSecond` so a chunk's fifty lookups do not run into the v3 API's own rate limit.
 *
 * While the app has no migrated grant at all, any reading answers `[]` correctly, so the comma list is
 * used and calibration waits for the next lookup.
 */
export function createGrantLookup(deps: {
  v3: Pick<V3Client, 'listGrants' | 'grantsForAccounts'>;
  warn: (text: string) => Promise<void>;
  lookupsPerSecond: number;
}): GrantLookup & { reading(): LookupReading } {
  let reading: LookupReading = 'unknown';
  const intervalMs = 1000 / deps.lookupsPerSecond;
  let nextSlot = 0;
  /** Spaces one-id lookups `intervalMs` apart (the first goes at once). */
  const paced = async (signal?: AbortSignal) => {
    const now = performance.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + intervalMs;
    if (slot > now) await sleep(slot - now, signal);
  };

  const grantsOf = async (accountId: string, signal?: AbortSignal): Promise<Grant[]> => {
    const grants: Grant[] = [];
    for (let offset = 0; ; offset += SAMPLE_LIMIT) {
      const page = await deps.v3.listGrants({ accountId, limit: SAMPLE_LIMIT, offset }, signal);
      grants.push(...page.grants);
      if (page.grants.length < SAMPLE_LIMIT) return grants;
    }
  };

  const oneByOne = async (accountIds: readonly string[], signal?: AbortSignal): Promise<Grant[]> =>
    (
      await Promise.all(
        accountIds.map(async (accountId) => {
          await paced(signal);
          return grantsOf(accountId, signal);
        }),
      )
    ).flat();

  /** Does a list lookup return every known account in it, whatever its position? */
  const listFinds = async (ids: string[], known: ReadonlySet<string>, signal?: AbortSignal) => {
    const page = await deps.v3.listGrants({ accountIds: ids, limit: SAMPLE_LIMIT }, signal);
    const answered = new Set(page.grants.map((g) => g.account_id));
    return ids.filter((id) => known.has(id)).every((id) => answered.has(id));
  };

  async function calibrate(candidates: readonly string[], signal?: AbortSignal): Promise<LookupReading> {
    const sample = await deps.v3.listGrants({ limit: SAMPLE_LIMIT }, signal);
    const known = [...new Set(sample.grants.flatMap((g) => (g.account_id ? [g.account_id] : [])))];
    const [first, second] = known;
    if (first === undefined) return 'unknown';
    const knownSet = new Set(known);
    let lists: boolean;
    if (second !== undefined) lists = await listFinds([first, second], knownSet, signal);
    else {
      // One known account: pair it with an account that has no grant, in both orders, so a reading
      // that keeps only the first or only the last id is caught too.
      const other = candidates.find((id) => !knownSet.has(id)) ?? `${first}-probe`;
      lists =
        (await listFinds([first, other], knownSet, signal)) &&
        (await listFinds([other, first], knownSet, signal));
    }
    if (lists) return 'lists';
    await deps.warn(
      'Nylas did not return both known grants for a two-account lookup (`account_ids` is read another way): grants are looked up one account at a time — a request per account, which costs rate budget and time, but no account is cloned twice',
    );
    return 'one-by-one';
  }

  return {
    reading: () => reading,
    async find(accountIds, signal) {
      if (accountIds.length === 0) return [];
      if (reading === 'unknown') reading = await calibrate(accountIds, signal);
      if (reading === 'one-by-one') return oneByOne(accountIds, signal);
      return deps.v3.grantsForAccounts(accountIds, signal);
    },
  };
}
