import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLeaseManager, LeaseLostError } from '../../src/coordination/lease.js';
import { migrationKeys } from '../../src/store/keys.js';
import { createRunStore } from '../../src/store/run-store.js';
import { finalStatus, parseCsv } from '../helpers/expected-rows.js';
import { type Harness, startHarness, TEST_WORKER, V2_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

describe('cancel and re-run', () => {
  it('cancel stops between accounts, the rest become cancelled, the report still comes; Retry failed finishes the job', async () => {
    harness = await startHarness({
      accounts: 400,
      sim: { latencyMs: { min: 20, max: 60 } },
      ratePerSecond: 60,
    });
    const h = harness;
    h.startWorker();
    const first = await h.start();
    const results = migrationKeys(h.prefix).results(first.migrationId);
    await waitUntil(async () => (await h.redis.hlen(results)) >= 60, '60 results');
    expect(await h.producer.cancel(first.migrationId, 'U_OWNER')).toBe(true);
    const cancelled = await h.waitFor(first.migrationId);
    expect(cancelled.status).toBe('cancelled');

    const firstReport = parseCsv(h.recorder.reportOf(first.migrationId)?.csv ?? '');
    expect(firstReport.rows).toHaveLength(400);
    const cancelledRows = firstReport.rows.filter((r) => r.status === 'cancelled');
    expect(cancelledRows.length).toBeGreaterThan(100);
    for (const row of cancelledRows) {
      expect(row.error_message).toBe('run cancelled');
      // Never cloned (a flaky account may have had a first, failed call before the cancel stopped its retry).
      expect(row.v3_grant_id).toBe('');
      expect(h.sim.grants('v3-acme').some((g) => g.account_id === row.v2_account_id)).toBe(false);
    }
    expect(h.recorder.eventsOf(first.migrationId).at(-1)).toMatchObject({
      type: 'finished',
      summary: { outcome: 'cancelled' },
    });
    expect(await h.producer.cancel(first.migrationId, 'U_OWNER')).toBe(false); // finished: nothing to cancel

    const callsBefore = { ...h.sim.counters().cloneCalls };
    const retry = await h.producer.reserveRetry(first.migrationId, 'U_ADMIN');
    if (!retry.ok) throw new Error(`retry refused: ${retry.code}`);
    expect(retry.request).toMatchObject({
      mode: 'only_failed',
      retryOf: first.migrationId,
      slack: first.slack,
    });
    await h.producer.enqueue(retry.request);
    expect((await h.waitFor(retry.request.migrationId)).status).toBe('completed');

    const second = parseCsv(h.recorder.reportOf(retry.request.migrationId)?.csv ?? '');
    const accounts = h.sim.accounts(V2_APP.clientId);
    expect(second.rows.map((r) => r.v2_account_id)).toEqual(accounts.map((a) => a.id));
    const counters = h.sim.counters();
    expect(counters.duplicateGrants).toBe(0);
    for (const [i, account] of accounts.entries()) {
      const before = firstReport.rows[i];
      const row = second.rows[i];
      if (before?.status === 'migrated' || before?.status === 'placeholder' || before?.status === 'skipped') {
        // Carried over untouched: same grant, no second clone.
        expect(row).toEqual(before);
        expect(counters.cloneCalls[account.id] ?? 0).toBe(callsBefore[account.id] ?? 0);
      } else {
        // Failed or cancelled last time: tried again now.
        expect(row?.status).toBe(finalStatus(h.sim, V2_APP.clientId, account));
      }
    }
    expect(second.rows.some((r) => r.status === 'cancelled')).toBe(false);
  });
});

describe('a zombie worker', () => {
  it('cannot write once its lease was taken over; the run still completes with no duplicates', async () => {
    harness = await startHarness({
      accounts: 300,
      sim: { latencyMs: { min: 20, max: 60 } },
      ratePerSecond: 60,
    });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    const results = migrationKeys(h.prefix).results(request.migrationId);
    await waitUntil(async () => (await h.redis.hlen(results)) >= 50, '50 results');

    // Another worker takes the migration over (as if the first one's event loop had been blocked).
    const leases = createLeaseManager(h.redis, { keyPrefix: h.prefix, ttlMs: TEST_WORKER.leaseTtlMs });
    const resource = `v2:${V2_APP.clientId}`;
    await h.redis.del(`${h.prefix}:lease:${resource}`);
    const thief = await leases.acquire(resource, 'other-worker');
    if (!thief) throw new Error('takeover failed');
    const atTakeover = await h.redis.hlen(results);

    // The old worker's writes are refused from now on: the count does not move until the thief's lease expires.
    await delay(TEST_WORKER.leaseTtlMs - 500);
    expect(await h.redis.hlen(results)).toBe(atTakeover);
    const job = await h.queue.getJob(request.migrationId);
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(job?.failedReason).toMatch(/lease/i);

    // A store bound to the old lease really writes nothing; the new holder's store does.
    const stale = createRunStore({
      redis: h.redis,
      prefix: h.prefix,
      migrationId: request.migrationId,
      leases,
      lease: { ...thief, token: thief.token - 1 },
    });
    const account = {
      id: 'zombie-account',
      email: 'z@example.com',
      provider: 'gmail',
      syncState: 'running',
      billingState: 'paid',
    };
    await expect(
      stale.writeResults([{ account, result: { status: 'migrated', at: 1 } }]),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await h.redis.hexists(results, 'zombie-account')).toBe(0);

    // After the thief's lease lapses, BullMQ's retry takes the job back and finishes it.
    const record = await h.waitFor(request.migrationId, undefined, 60_000);
    expect(record.status).toBe('completed');
    expect(h.sim.counters().duplicateGrants).toBe(0);
    expect(parseCsv(h.recorder.reportOf(request.migrationId)?.csv ?? '').rows).toHaveLength(300);
  });
});
