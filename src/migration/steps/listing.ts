import type { V2Account } from '../../nylas/schemas/v2.js';
import type { AccountRecord } from '../account.js';
import { MigrationFailure, nylasCall, RunInterrupted } from '../failure.js';
import type { RunContext } from './context.js';

const CARRY_CHUNK = 1000;

export function toAccountRecord(account: V2Account): AccountRecord {
  return {
    id: account.id,
    email: account.email,
    provider: account.provider,
    syncState: account.sync_state,
    billingState: account.billing_state,
  };
}

/**
 * Lists every v2 account into the run's records, page by page, persisting each page with the cursor so
 * a resumed run continues from the last page it stored. A retry (`only_failed`) takes the account list
 * of the run it retries instead, so its report covers the same accounts.
 */
export async function listAccounts(ctx: RunContext): Promise<number> {
  const checkpoint = await ctx.store.checkpoint();
  if (!checkpoint.listingComplete) {
    if (ctx.request.mode === 'only_failed') await copyPreviousAccounts(ctx, checkpoint.listedThrough);
    else await listFromV2(ctx, checkpoint.listedThrough);
  }
  const total = await ctx.store.accountCount();
  if (!checkpoint.listingComplete) {
    const source =
      ctx.request.mode === 'only_failed'
        ? `from the run ${ctx.request.retryOf} being retried`
        : 'in the v2 application';
    await ctx.notify({ type: 'step_done', step: 'listing', text: `Found ${total} accounts ${source}` });
  }
  return total;
}

async function listFromV2(ctx: RunContext, startOffset: number): Promise<void> {
  await nylasCall('listing', 'Listing the v2 accounts failed', async () => {
    for await (const page of ctx.nylas.v2.accountPages({ startOffset, signal: ctx.signal })) {
      await ctx.store.appendAccounts(
        page.accounts.map(toAccountRecord),
        page.offset + page.accounts.length,
        page.last,
      );
      // Each page is stored with its cursor, so a shutdown between pages loses nothing.
      if (ctx.drainSignal?.aborted && !page.last) throw new RunInterrupted();
    }
  });
}

async function copyPreviousAccounts(ctx: RunContext, startIndex: number): Promise<void> {
  const previous = ctx.previous;
  if (!previous)
    throw new MigrationFailure(
      'listing',
      `The run ${ctx.request.retryOf ?? ''} to retry has no records left`,
    );
  const total = await previous.accountCount();
  for (let start = startIndex; start < total; start += CARRY_CHUNK) {
    const end = Math.min(total, start + CARRY_CHUNK);
    await ctx.store.appendAccounts(await previous.accounts(start, end - 1), end, end >= total);
  }
  if (total === 0) await ctx.store.appendAccounts([], 0, true);
}
