import { afterEach, describe, expect, it } from 'vitest';
import { REGION_MISMATCH_MESSAGE } from '../../src/config/regions.js';
import {
  countOwedReports,
  createReportQueue,
  enqueueOwedReport,
  enqueueReupload,
} from '../../src/queue/report-queue.js';
import { waitForJobSettled } from '../helpers/job-settled.js';
import { type Harness, startHarness, V2_APP, V2_OTHER, V3_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function runToEnd(h: Harness, overrides: Parameters<Harness['start']>[0] = {}) {
  const request = await h.start(overrides);
  const record = await h.waitFor(request.migrationId);
  const events = h.recorder.eventsOf(request.migrationId);
  return { request, record, events, last: events.at(-1) };
}

describe('runs that cannot succeed end with a clear reason, and free their apps', () => {
  it('v2 host unreachable', async () => {
    harness = await startHarness({ accounts: 20 });
    harness.startWorker();
    harness.sim.setV2Down(true);
    const { record, last, request } = await runToEnd(harness);
    expect(record.status).toBe('failed');
    expect(last).toMatchObject({ type: 'failed', step: 'preflight' });
    expect(record.reason).toMatch(new RegExp(`^The v2 application ${V2_APP.clientId} is not reachable`));
    expect(record.reason).toMatch(/503/);
    expect(await harness.records.active('v2', request.v2AppId)).toBeUndefined();
    expect(harness.sim.counters().requests['POST /v3/migration-tools/link-v2v3-apps']).toBeUndefined();
  });

  it('v3 API key wrong', async () => {
    harness = await startHarness({ accounts: 20 });
    harness.startWorker();
    const { record, last } = await runToEnd(harness, { v3AppId: 'v3-badkey' });
    expect(record.status).toBe('failed');
    expect(last).toMatchObject({ type: 'failed', step: 'preflight' });
    expect(record.reason).toMatch(/^The v3 application v3-badkey rejected its API key \(401 /);
  });

  it('regions differ: refused with the Dashboard’s words before any Nylas call', async () => {
    harness = await startHarness({ accounts: 20 });
    harness.startWorker();
    const { record } = await runToEnd(harness, { v3AppId: 'v3-eu' });
    expect(record.reason).toBe(REGION_MISMATCH_MESSAGE);
    expect(harness.sim.counters().requests).toEqual({});
  });

  it('the requester is no longer a verified admin: nothing is called', async () => {
    harness = await startHarness({
      accounts: 20,
      verifyAdmin: async () => ({ ok: false, reason: 'not an admin' }),
    });
    harness.startWorker();
    const { record } = await runToEnd(harness);
    expect(record.status).toBe('failed');
    expect(record.reason).toBe('<@U_ADMIN> is not allowed to run migrations: not an admin');
    expect(harness.sim.counters().requests).toEqual({});
  });

  it('the v3 app is already linked to another v2 app', async () => {
    harness = await startHarness({ accounts: 30, otherAccounts: 10 });
    harness.startWorker();
    expect((await runToEnd(harness)).record.status).toBe('completed');
    const { record } = await runToEnd(harness, { v2AppId: V2_OTHER.clientId });
    expect(record.reason).toBe(
      `The v3 application ${V3_APP.applicationId} is already linked to another v2 application (${V2_APP.clientId})`,
    );
    expect(await harness.records.linkedV2For(V3_APP.applicationId)).toBe(V2_APP.clientId);
  });

  it('the v3 key is revoked mid-run: the run stops, the rest are marked, the report still comes', async () => {
    harness = await startHarness({ accounts: 200, sim: { latencyMs: 10 }, ratePerSecond: 60 });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    await h.waitFor(request.migrationId, ['running']);
    h.sim.injectFaults({
      match: 'clone',
      times: 10_000,
      kind: 'status',
      status: 401,
      errorType: 'unauthorized',
      message: 'Unauthorized',
    });
    const record = await h.waitFor(request.migrationId);
    expect(record.status).toBe('failed');
    expect(record.reason).toMatch(/^Nylas refused the clone calls: Nylas rejected the credentials/);
    const report = h.recorder.reportOf(request.migrationId);
    expect(report?.summary.outcome).toBe('failed');
    expect(report?.summary.counts.cancelled).toBeGreaterThan(0);
    expect(report?.csv).toContain('run stopped: Nylas refused the clone calls');
  });

  it('a notifier that keeps failing never fails the migration, and an undelivered report stays owed until delivered', async () => {
    harness = await startHarness({ accounts: 40 });
    const h = harness;
    h.recorder.failNextEvents(2);
    h.recorder.failNextUploads(2);
    const worker = h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    // The reports queue retries with backoff (from 200 ms in tests) until the upload goes through.
    const deadline = Date.now() + 10_000;
    while (!h.recorder.reportOf(request.migrationId) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(h.recorder.reportOf(request.migrationId)?.file.rows).toBe(40);
    expect(h.recorder.reportsOf(request.migrationId)).toHaveLength(1);
    expect(await countOwedReports(worker.reports.queue)).toBe(0);
  });

  it('reports owed are the reports queue’s jobs still to run: a report a run could not hand over, and a re-upload', async () => {
    harness = await startHarness({ accounts: 1 });
    const h = harness;
    // No worker: the jobs stay waiting, owed.
    const queue = createReportQueue(h.redis, h.prefix);
    try {
      expect(await countOwedReports(queue)).toBe(0);
      await enqueueOwedReport(queue, 'm-1', 200);
      await enqueueOwedReport(queue, 'm-1', 200); // owed twice is one delivery
      await enqueueReupload(queue, 'm-2', 'U_ADMIN');
      expect(await countOwedReports(queue)).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('an owed report job redelivered after its success (re-added, or run again) uploads nothing more', async () => {
    harness = await startHarness({ accounts: 20 });
    const h = harness;
    h.recorder.failNextUploads(1);
    const worker = h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    const queue = worker.reports.queue;
    await waitForJobSettled(queue, request.migrationId);
    expect(await queue.getJobState(request.migrationId)).toBe('completed');
    expect(h.recorder.reportsOf(request.migrationId)).toHaveLength(1);
    // BullMQ redelivers a job whose worker stalled: the same job runs again after it succeeded.
    const job = await queue.getJob(request.migrationId);
    if (!job) throw new Error('the owed report job is gone');
    await job.remove();
    await enqueueOwedReport(queue, request.migrationId, 200);
    await waitForJobSettled(queue, request.migrationId);
    expect((await queue.getJob(request.migrationId))?.returnvalue).toBe('already delivered');
    expect(h.recorder.reportsOf(request.migrationId)).toHaveLength(1);
  });
});
