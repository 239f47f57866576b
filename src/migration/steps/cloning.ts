import { setMaxListeners } from 'node:events';
import { NylasError } from '../../nylas/errors.js';
import type { CloneFlags } from '../../nylas/migration-client.js';
import type { Grant } from '../../nylas/schemas/v3.js';
import { sleep } from '../../shared/sleep.js';
import type { AccountRecord, AccountResult } from '../account.js';
import { describeNylasFailure, isRunFatal, isTransientProviderError, RunInterrupted } from '../failure.js';
import { createGrantLookup } from '../grant-lookup.js';
import {
  cancelledResult,
  grantPreference,
  resultFromError,
  resultFromGrant,
  skippedResult,
  skipReason,
} from '../outcome.js';
import type { RunContext } from './context.js';
import type { RunTracker } from './tracker.js';

/** Why the rest of the accounts were not attempted. */
export interface CloneStop {
  kind: 'cancelled' | 'failed';
  reason: string;
}

/** A clone given up between its turn in the rate budget and the send, because the run stopped. */
class NotSent extends Error {}

const CARRIED_STATUSES = new Set(['migrated', 'placeholder', 'skipped']);

/** Prefers the most usable grant (see `grantPreference`), then the newest: the one a user would keep. */
function bestGrant(grants: readonly Grant[]): Grant | undefined {
  return [...grants].sort((a, b) => {
    const preference = grantPreference(a) - grantPreference(b);
    return preference !== 0 ? preference : (b.created_at ?? 0) - (a.created_at ?? 0);
  })[0];
}

/**
 * Clones every account that has no outcome yet, chunk by chunk, with up to `cloneConcurrency` clone
 * calls in flight (each waiting for its turn in the v3 app's shared rate budget).
 *
 * No account is cloned twice: before cloning a chunk, one `GET /v3/grants?account_ids=` (calibrated
 * first, see `grant-lookup.ts`) finds grants
 * that already exist (an earlier run, or a clone that landed just before a crash — the lease makes sure
 * no request of a dead worker is still in flight), and after an ambiguous failure (timeout, 5xx) the
 * account's grants are looked up again before any new attempt.
 */
export async function cloneAccounts(ctx: RunContext, tracker: RunTracker): Promise<CloneStop | undefined> {
  const { store, settings, request } = ctx;
  const flags: CloneFlags = {
    allowInvalidGrantCreation: request.options.placeholders,
    cloneExchange: request.options.microsoftPlaceholders,
  };
  let stop: CloneStop | undefined;
  let crash: unknown;
  const abort = new AbortController();
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, abort.signal]) : abort.signal;
  // Every request and wait in flight listens on this one signal.
  setMaxListeners(settings.cloneConcurrency * 4 + 16, signal);

  const record = async (entries: Array<{ account: AccountRecord; result: AccountResult }>) => {
    if (entries.length === 0) return;
    await store.writeResults(entries);
    tracker.recorded(entries.map((e) => e.result));
  };
  const stopResult = () =>
    cancelledResult(stop?.kind === 'cancelled' ? 'run cancelled' : `run stopped: ${stop?.reason}`, ctx.now());

  const pollCancel = setInterval(() => {
    store.cancelRequested().then(
      (by) => {
        if (by && !stop) stop = { kind: 'cancelled', reason: `cancelled by <@${by}>` };
      },
      () => {}, // a missed poll is retried at the next tick; a real Redis outage surfaces on the next write
    );
  }, settings.cancelPollMs);
  pollCancel.unref();

  const lookup = createGrantLookup({
    v3: ctx.nylas.v3,
    warn: (text) => ctx.notify({ type: 'warning', step: 'cloning', text }),
    lookupsPerSecond: settings.lookupsPerSecond,
  });

  const beforeSend = () => {
    if (stop) throw new NotSent();
  };
  const lookupOne = async (accountId: string) =>
    bestGrant((await ctx.nylas.v3.listGrants({ accountId }, signal)).grants);

  async function cloneOne(account: AccountRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (stop) return record([{ account, result: stopResult() }]);
      let failure: NylasError;
      try {
        const grant = await ctx.nylas.migration.cloneAccount(account.id, flags, signal, { beforeSend });
        tracker.cloneCall();
        return record([{ account, result: resultFromGrant(grant, account, ctx.now()) }]);
      } catch (error) {
        // Cancelled (or stopped) while this call waited for its turn: it was never sent.
        if (error instanceof NotSent) return record([{ account, result: stopResult() }]);
        if (!(error instanceof NylasError)) throw error;
        tracker.cloneCall();
        failure = error;
      }
      if (isRunFatal(failure)) {
        stop ??= { kind: 'failed', reason: describeNylasFailure(failure, 'Nylas refused the clone calls') };
        return record([{ account, result: resultFromError(failure, account, ctx.now()) }]);
      }
      if (failure.ambiguous) {
        // The clone may have happened even though we got no answer: look before trying again.
        await sleep(settings.ambiguousSettleMs, signal);
        try {
          const existing = await lookupOne(account.id);
          if (existing)
            return record([{ account, result: resultFromGrant(existing, account, ctx.now(), true) }]);
        } catch (lookupError) {
          if (!(lookupError instanceof NylasError)) throw lookupError;
          return record([{ account, result: resultFromError(failure, account, ctx.now()) }]);
        }
      }
      const worthRetrying = failure.retryable || isTransientProviderError(failure);
      if (!worthRetrying || attempt >= settings.maxCloneAttempts) {
        return record([{ account, result: resultFromError(failure, account, ctx.now()) }]);
      }
      await sleep(Math.min(10_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), signal);
    }
  }

  const inFlight = new Set<Promise<void>>();
  const launch = async (task: () => Promise<void>) => {
    while (inFlight.size >= settings.cloneConcurrency) await Promise.race(inFlight);
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        crash ??= error;
        abort.abort(error);
      })
      .finally(() => inFlight.delete(running));
    inFlight.add(running);
  };

  const previousResults = async (ids: string[]) =>
    ctx.request.mode === 'only_failed' && ctx.previous ? ctx.previous.results(ids) : ids.map(() => undefined);

  const draining = () => ctx.drainSignal?.aborted === true;
  // A cancel that came before cloning starts must stop the very first clone too, not one poll later.
  const cancelledBy = await store.cancelRequested();
  if (cancelledBy) stop = { kind: 'cancelled', reason: `cancelled by <@${cancelledBy}>` };
  tracker.startCloning();
  try {
    const total = await store.accountCount();
    for (let start = 0; start < total && crash === undefined && !draining(); start += settings.chunkSize) {
      const accounts = await store.accounts(start, Math.min(total, start + settings.chunkSize) - 1);
      const known = await store.results(accounts.map((a) => a.id));
      const open = accounts.filter((_, i) => known[i] === undefined);
      if (open.length === 0) continue;
      const decided: Array<{ account: AccountRecord; result: AccountResult }> = [];
      const candidates: AccountRecord[] = [];
      const previous = await previousResults(open.map((a) => a.id));
      open.forEach((account, i) => {
        const before = previous[i];
        const skip = skipReason(account, request.options);
        if (before && CARRIED_STATUSES.has(before.status))
          decided.push({ account, result: { ...before, carriedOver: true } });
        else if (skip) decided.push({ account, result: skippedResult(skip, ctx.now()) });
        else candidates.push(account);
      });
      await record(decided);
      if (candidates.length === 0) continue;
      if (stop) {
        // Skips and carried-over outcomes above still hold; only what would have been cloned is cancelled.
        await record(candidates.map((account) => ({ account, result: stopResult() })));
        continue;
      }

      let existing: Grant[];
      try {
        existing = await lookup.find(
          candidates.map((a) => a.id),
          signal,
        );
      } catch (error) {
        if (!(error instanceof NylasError)) throw error;
        // Without the lookup a clone could duplicate a grant: fail these accounts rather than guess.
        await record(
          candidates.map((account) => ({ account, result: resultFromError(error, account, ctx.now()) })),
        );
        if (isRunFatal(error))
          stop ??= { kind: 'failed', reason: describeNylasFailure(error, 'Nylas refused the grant lookup') };
        continue;
      }
      const byAccount = new Map<string, Grant[]>();
      for (const grant of existing) {
        if (!grant.account_id) continue;
        byAccount.set(grant.account_id, [...(byAccount.get(grant.account_id) ?? []), grant]);
      }
      const found: Array<{ account: AccountRecord; result: AccountResult }> = [];
      for (const account of candidates) {
        const grant = bestGrant(byAccount.get(account.id) ?? []);
        if (grant) found.push({ account, result: resultFromGrant(grant, account, ctx.now(), true) });
        else if (!draining()) await launch(() => cloneOne(account));
        if (crash !== undefined) break;
      }
      await record(found);
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(pollCancel);
    await Promise.allSettled(inFlight);
  }
  if (crash !== undefined) throw crash;
  // Accounts left without an outcome by a drain are picked up by whichever worker resumes the run.
  if (draining()) throw new RunInterrupted();
  return stop;
}
