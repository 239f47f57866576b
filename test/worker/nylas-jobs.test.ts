/**
 * Nylas's own migration jobs: an import that starts a snapshot and a batch clone (the spec's
 * description), or a Dashboard "Migrate app" already running. The bot shows them in the thread, starts
 * per-account cloning only when none runs, and never clones an account their grants already cover.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MigrationEvent } from '../../src/migration/notifier.js';
import { parseCsv } from '../helpers/expected-rows.js';
import { type Harness, startHarness, V2_APP, V3_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const CLONE = 'POST /v3/migration-tools/grants/:account_id/clone';
const JOBS = 'GET /v3/migration-tools/jobs';

const texts = (events: MigrationEvent[]) =>
  events.flatMap((e) => (e.type === 'step_done' || e.type === 'warning' ? [e.text] : []));

/** Every grant in the v3 app is on its account's row; nothing was cloned twice. */
function expectGrantsReported(h: Harness, migrationId: string) {
  expect(h.sim.counters().duplicateGrants).toBe(0);
  const rows = parseCsv(h.recorder.reportOf(migrationId)?.csv ?? '').rows;
  expect(rows.map((r) => r.v2_account_id)).toEqual(h.sim.accounts(V2_APP.clientId).map((a) => a.id));
  const byAccount = new Map(rows.map((r) => [r.v2_account_id, r]));
  for (const grant of h.sim.grants(V3_APP.applicationId)) {
    const row = byAccount.get(grant.account_id);
    // Nylas's batch also clones what the admin chose to skip (cancelled billing): those rows stay skipped.
    if (row?.status === 'skipped') continue;
    expect({ account: grant.account_id, grant: row?.v3_grant_id }).toEqual({
      account: grant.account_id,
      grant: grant.id,
    });
  }
  return rows;
}

describe('an import that starts Nylas jobs', () => {
  it('shows the jobs, waits for them, then clones only what they left: no duplicate', async () => {
    harness = await startHarness({ accounts: 80, sim: { readings: { importAnswer: 'jobs' } } });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    const said = texts(h.recorder.eventsOf(request.migrationId));
    expect(said).toContain('The import started 2 Nylas migration jobs');
    expect(said).toContain(
      'Nylas is running migration jobs on the v3 application (started by the import); per-account cloning waits until they finish, then keeps the grants they made',
    );
    expect(said).toContain("Nylas's migration jobs finished");
    const started = h.recorder
      .eventsOf(request.migrationId)
      .find((e) => e.type === 'step_done' && e.text === 'The import started 2 Nylas migration jobs');
    expect(started?.type === 'step_done' && started.details?.map((d) => d.split(' ')[0])).toEqual([
      'snapshot',
      'migration',
    ]);
    const rows = expectGrantsReported(h, request.migrationId);
    // The batch cloned most accounts; the bot cloned none of those again.
    const cloneCalls = h.sim.counters().cloneCalls;
    const byBatch = rows.filter(
      (r) => r.v3_grant_id !== '' && cloneCalls[r.v2_account_id ?? ''] === undefined,
    );
    expect(byBatch.length).toBeGreaterThan(40);
    expect(Object.values(cloneCalls).every((calls) => calls === 1)).toBe(true);
  });

  it('the message reading (the spec’s schema): no jobs to show, one look at the jobs list, same report', async () => {
    harness = await startHarness({ accounts: 30 });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    expect(texts(h.recorder.eventsOf(request.migrationId)).filter((t) => /job/.test(t))).toEqual([]);
    // Once in preflight, once after the import.
    expect(h.sim.counters().requests[JOBS]).toBe(2);
    expectGrantsReported(h, request.migrationId);
  });
});

describe('a Dashboard migration already running', () => {
  it('preflight sees it, the run waits, and keeps the grants it made', async () => {
    harness = await startHarness({ accounts: 60, sim: { jobStepMs: 600 } });
    const h = harness;
    const call = async (method: string, path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${h.sim.url}${path}`, {
        method,
        headers: { authorization: 'Bearer nyk_v0_acme', 'content-type': 'application/json', ...headers },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(response.status).toBe(200);
    };
    // What the Dashboard's "Migrate app" does: link, import, batch clone.
    const basicV2 = Buffer.from(`${V2_APP.clientId}:${V2_APP.clientSecret}`).toString('base64');
    await call('POST', '/v3/migration-tools/link-v2v3-apps', { BasicV2: basicV2 });
    await call('POST', '/v3/migration-tools/import-v2-app');
    await call('POST', '/v3/migration-tools/snapshot-batch-clone');
    h.sim.resetCounters();

    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    const said = texts(h.recorder.eventsOf(request.migrationId));
    expect(said).toContain(
      'Nylas is running migration jobs on the v3 application (started before this run); per-account cloning waits until they finish, then keeps the grants they made',
    );
    const rows = expectGrantsReported(h, request.migrationId);
    const cloneCalls = h.sim.counters().cloneCalls;
    const byBatch = rows.filter(
      (r) => r.v3_grant_id !== '' && cloneCalls[r.v2_account_id ?? ''] === undefined,
    );
    expect(byBatch.length).toBeGreaterThan(30);
    expect(h.sim.counters().requests[CLONE] ?? 0).toBeLessThan(30);
  });
});
