import { afterEach, describe, expect, it } from 'vitest';
import { createLeaseManager } from '../../src/coordination/lease.js';
import { migrationKeys } from '../../src/store/keys.js';
import { spawnWorker } from '../helpers/child-worker.js';
import { finalStatus, parseCsv, unjustifiedRepeats } from '../helpers/expected-rows.js';
import { type Harness, startHarness, TEST_WORKER, V2_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
const children: Array<{ kill: (signal: NodeJS.Signals) => boolean }> = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await harness?.close();
  harness = undefined;
});

async function waitForResults(h: Harness, migrationId: string, atLeast: number): Promise<number> {
  const key = migrationKeys(h.prefix).results(migrationId);
  for (;;) {
    const count = await h.redis.hlen(key);
    if (count >= atLeast) return count;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('crash-proof and exactly once', () => {
  it('a worker killed with SIGKILL mid-run: another one finishes it, no account cloned twice, no row lost', async () => {
    harness = await startHarness({ accounts: 400, sim: { latencyMs: { min: 30, max: 90 } } });
    const h = harness;
    const worker = await spawnWorker(h.childConfig());
    children.push(worker.child);
    const request = await h.start();
    await waitForResults(h, request.migrationId, 100);
    worker.child.kill('SIGKILL');
    await worker.exited;

    h.startWorker();
    const record = await h.waitFor(request.migrationId, undefined, 60_000);
    expect(record.status).toBe('completed');

    const counters = h.sim.counters();
    expect(counters.duplicateGrants).toBe(0);
    // Only clones whose earlier calls made no grant (a provider error retried, or an error answer lost
    // with the killed worker) may be sent again; one that made a grant is found and never repeated.
    expect(unjustifiedRepeats(h.sim, V2_APP.clientId)).toEqual([]);

    const report = h.recorder.reportOf(request.migrationId);
    if (!report) throw new Error('no report');
    const { rows } = parseCsv(report.csv);
    const accounts = h.sim.accounts(V2_APP.clientId);
    expect(rows.map((r) => r.v2_account_id)).toEqual(accounts.map((a) => a.id));
    for (const [i, account] of accounts.entries()) {
      expect(rows[i]?.status).toBe(finalStatus(h.sim, V2_APP.clientId, account));
    }
    for (const grant of h.sim.grants('v3-acme'))
      expect(rows.find((r) => r.v2_account_id === grant.account_id)?.v3_grant_id).toBe(grant.id);
    const events = h.recorder.eventsOf(request.migrationId);
    expect(events.some((e) => e.type === 'milestone' && /Resuming/.test(e.text))).toBe(true);
  });

  it('SIGTERM drains: in-flight accounts finish, the lease is released, and the next worker resumes at once', async () => {
    harness = await startHarness({ accounts: 400, sim: { latencyMs: { min: 30, max: 90 } } });
    const h = harness;
    const worker = await spawnWorker(h.childConfig());
    children.push(worker.child);
    const request = await h.start();
    await waitForResults(h, request.migrationId, 60);
    const stopAsked = performance.now();
    worker.child.kill('SIGTERM');
    const exitCode = await worker.exited;
    if (exitCode !== 0) console.log(worker.output());
    expect(exitCode).toBe(0);
    expect(worker.output()).toContain('exited');
    expect(performance.now() - stopAsked).toBeLessThan(TEST_WORKER.drainTimeoutMs);

    const leases = createLeaseManager(h.redis, { keyPrefix: h.prefix, ttlMs: TEST_WORKER.leaseTtlMs });
    expect(await leases.inspect(`v2:${V2_APP.clientId}`)).toBeNull();

    h.startWorker();
    const record = await h.waitFor(request.migrationId, undefined, 60_000);
    expect(record.status).toBe('completed');
    expect(h.sim.counters().duplicateGrants).toBe(0);
    expect(unjustifiedRepeats(h.sim, V2_APP.clientId)).toEqual([]);
    const report = h.recorder.reportOf(request.migrationId);
    expect(parseCsv(report?.csv ?? '').rows).toHaveLength(400);
  });
});
