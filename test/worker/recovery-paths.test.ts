import { afterEach, describe, expect, it } from 'vitest';
import { migrationKeys } from '../../src/store/keys.js';
import { finalStatus, parseCsv, unjustifiedRepeats } from '../helpers/expected-rows.js';
import {
  type Harness,
  startHarness,
  V2_APP,
  V3_APP,
  workerConnectionName,
} from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const SETUP_CALLS = [
  'POST /v3/migration-tools/link-v2v3-apps',
  'POST /v3/migration-tools/import-v2-app',
  'PATCH /v3/applications',
];
const setupCalls = (h: Harness) => SETUP_CALLS.map((route) => h.sim.counters().requests[route] ?? 0);

describe('paths that used to leave a run stuck or repeat work', () => {
  it('a job that fails every attempt ends failed in the open, and frees its apps', async () => {
    // The admin check keeps failing for a reason that is not a "no" (Slack down): each attempt throws.
    harness = await startHarness({
      accounts: 20,
      verifyAdmin: async () => {
        throw new Error('admin check unavailable: Slack did not answer');
      },
    });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    const record = await h.waitFor(request.migrationId);
    expect(record.status).toBe('failed');
    expect(record.reason).toBe(
      'the run stopped after 2 attempts: admin check unavailable: Slack did not answer',
    );
    expect(h.recorder.eventsOf(request.migrationId).at(-1)).toMatchObject({
      type: 'failed',
      reason: record.reason,
    });
    expect(await h.records.active('v2', V2_APP.clientId)).toBeUndefined();
    expect((await h.producer.start(h.request({ v3AppId: 'v3-other' }))).ok).toBe(true);
  });

  it('a Slack outage during the worker’s admin check is retried, not a failed migration', async () => {
    let calls = 0;
    harness = await startHarness({
      accounts: 30,
      verifyAdmin: async () => {
        calls++;
        if (calls === 1) throw new Error('admin check unavailable');
        return { ok: true };
      },
    });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    expect(calls).toBe(2);
  });

  it('a cancel before the run starts leaves the v3 app untouched; every row says cancelled', async () => {
    harness = await startHarness({ accounts: 40 });
    const h = harness;
    const request = await h.start();
    expect(await h.producer.cancel(request.migrationId, 'U_OWNER')).toBe(true);
    h.startWorker();
    const record = await h.waitFor(request.migrationId);
    expect(record.status).toBe('cancelled');
    expect(setupCalls(h)).toEqual([0, 0, 0]);
    expect(h.sim.counters().requests['POST /v3/migration-tools/grants/:account_id/clone']).toBeUndefined();
    const rows = parseCsv(h.recorder.reportOf(request.migrationId)?.csv ?? '').rows;
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['cancelled', 'skipped']));
  });

  it('a cancel stops clones still waiting for their turn: at most the few already sent land', async () => {
    harness = await startHarness({
      accounts: 300,
      sim: { latencyMs: 20 },
      ratePerSecond: 20,
      settings: { cancelPollMs: 50 },
    });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    const results = migrationKeys(h.prefix).results(request.migrationId);
    while ((await h.redis.hlen(results)) < 20) await new Promise((r) => setTimeout(r, 20));
    await h.producer.cancel(request.migrationId, 'U_OWNER');
    const clonesAtCancel =
      h.sim.counters().requests['POST /v3/migration-tools/grants/:account_id/clone'] ?? 0;
    expect((await h.waitFor(request.migrationId)).status).toBe('cancelled');
    const clonesAfter =
      (h.sim.counters().requests['POST /v3/migration-tools/grants/:account_id/clone'] ?? 0) - clonesAtCancel;
    // 24 calls were queued in the rate budget; only those sent within one cancel poll (≤ 50 ms at 20/s) go out.
    expect(clonesAfter).toBeLessThanOrEqual(3);
  });

  it('a finished migration delivered again does nothing', async () => {
    harness = await startHarness({ accounts: 30 });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    await h.waitFor(request.migrationId);
    const events = h.recorder.eventsOf(request.migrationId).length;
    const requests = { ...h.sim.counters().requests };
    await h.queue.add('migrate', request, { jobId: `${request.migrationId}-again` });
    for (;;) {
      const state = await h.queue.getJobState(`${request.migrationId}-again`);
      if (state === 'completed' || state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const job = await h.queue.getJob(`${request.migrationId}-again`);
    expect(job?.returnvalue).toEqual({ outcome: 'completed' });
    expect(h.recorder.eventsOf(request.migrationId)).toHaveLength(events);
    expect(h.recorder.reports.filter((r) => r.ref.migrationId === request.migrationId)).toHaveLength(1);
    expect(h.sim.counters().requests).toEqual(requests);
  });

  it('Retry failed does not link, import or patch again, and leaves the admin’s connector fixes alone', async () => {
    harness = await startHarness({ accounts: 120 });
    const h = harness;
    h.startWorker();
    const first = await h.start();
    await h.waitFor(first.migrationId);
    const before = setupCalls(h);
    expect(before).toEqual([1, 1, 1]);
    const retry = await h.producer.reserveRetry(first.migrationId, 'U_ADMIN');
    if (!retry.ok) throw new Error(retry.code);
    expect(retry.request.mode).toBe('only_failed');
    await h.producer.enqueue(retry.request);
    expect((await h.waitFor(retry.request.migrationId)).status).toBe('completed');
    expect(setupCalls(h)).toEqual(before);
    expect(h.recorder.eventsOf(retry.request.migrationId).map((e) => e.type)).toContain('connectors');
    expect(h.sim.counters().duplicateGrants).toBe(0);
  });

  it('a second full migration of an already-linked pair does not link again', async () => {
    harness = await startHarness({ accounts: 20 });
    const h = harness;
    h.startWorker();
    await h.waitFor((await h.start()).migrationId);
    const second = await h.start();
    await h.waitFor(second.migrationId);
    expect(h.sim.counters().requests['POST /v3/migration-tools/link-v2v3-apps']).toBe(1);
    const linked = h.recorder
      .eventsOf(second.migrationId)
      .find((e) => e.type === 'step_done' && e.step === 'link');
    expect(linked).toMatchObject({
      text: `v2 application ${V2_APP.clientId} and v3 application ${V3_APP.applicationId} were already linked`,
    });
    // Every account already has its grant: found, not cloned again.
    expect(unjustifiedRepeats(h.sim, V2_APP.clientId)).toEqual([]);
    expect(h.sim.counters().duplicateGrants).toBe(0);
  });
});

describe('the options an admin can choose', () => {
  it('placeholders off, Microsoft placeholders off, some providers, cancelled/deleted kept: every row as the rules say', async () => {
    harness = await startHarness({ accounts: 250 });
    const h = harness;
    h.startWorker();
    const options = {
      placeholders: false,
      microsoftPlaceholders: false,
      skipInactiveBilling: false,
      providers: ['google', 'microsoft', 'imap'] as const,
    };
    const request = await h.start({ options: { ...options, providers: [...options.providers] } });
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    const rows = parseCsv(h.recorder.reportOf(request.migrationId)?.csv ?? '').rows;
    const accounts = h.sim.accounts(V2_APP.clientId);
    accounts.forEach((account, i) => {
      expect({ id: account.id, status: rows[i]?.status }).toEqual({
        id: account.id,
        status: finalStatus(h.sim, V2_APP.clientId, account, {
          ...options,
          providers: [...options.providers],
        }),
      });
    });
    expect(rows.some((r) => r.status === 'placeholder')).toBe(false);
    expect(rows.some((r) => r.error_message === 'provider not selected')).toBe(true);
    expect(rows.some((r) => r.v2_billing_state === 'cancelled' && r.status !== 'skipped')).toBe(true);
  });
});

describe('more recovery paths', () => {
  it('Retry failed after a cancel that came before setup runs in full: links, imports, migrates', async () => {
    harness = await startHarness({ accounts: 40 });
    const h = harness;
    const first = await h.start();
    await h.producer.cancel(first.migrationId, 'U_OWNER');
    h.startWorker();
    expect((await h.waitFor(first.migrationId)).status).toBe('cancelled');
    const retry = await h.producer.reserveRetry(first.migrationId, 'U_ADMIN');
    if (!retry.ok) throw new Error(retry.code);
    expect(retry.request.mode).toBe('all');
    await h.producer.enqueue(retry.request);
    expect((await h.waitFor(retry.request.migrationId)).status).toBe('completed');
    expect(setupCalls(h)).toEqual([1, 1, 1]);
    const rows = parseCsv(h.recorder.reportOf(retry.request.migrationId)?.csv ?? '').rows;
    h.sim.accounts(V2_APP.clientId).forEach((account, i) => {
      expect(rows[i]?.status).toBe(finalStatus(h.sim, V2_APP.clientId, account));
    });
  });

  it('a Redis connection cut mid-run: the run completes with every row once and counts that add up', async () => {
    harness = await startHarness({ accounts: 300, sim: { latencyMs: 20 }, ratePerSecond: 60 });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    const results = migrationKeys(h.prefix).results(request.migrationId);
    while ((await h.redis.hlen(results)) < 60) await new Promise((r) => setTimeout(r, 20));
    // The worker's connections are cut (only this harness's: other test files share this Redis);
    // ioredis reconnects, and what was in flight fails the attempt, which resumes.
    const name = workerConnectionName(h.prefix);
    const ids = String(await h.redis.call('CLIENT', 'LIST'))
      .split('\n')
      // Ours, and BullMQ's blocking reads (which it names `${prefix}:${base64 queue name}`).
      .filter((line) => line.includes(` name=${name} `) || line.includes(` name=${h.prefix}:`))
      .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1]);
    expect(ids.length).toBeGreaterThanOrEqual(3); // BullMQ's (shared and blocking) and the run's own
    for (const id of ids) await h.redis.call('CLIENT', 'KILL', 'ID', String(id));
    const record = await h.waitFor(request.migrationId, undefined, 60_000);
    expect(record.status).toBe('completed');
    const rows = parseCsv(h.recorder.reportOf(request.migrationId)?.csv ?? '').rows;
    expect(rows.map((r) => r.v2_account_id)).toEqual(h.sim.accounts(V2_APP.clientId).map((a) => a.id));
    const summary = record.summary;
    expect(summary && Object.values(summary.counts).reduce((a, b) => a + b, 0)).toBe(300);
    expect(h.sim.counters().duplicateGrants).toBe(0);
  });
});
