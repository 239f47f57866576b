import { afterEach, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../../src/migration/report.js';
import { finalStatus, parseCsv, unjustifiedRepeats } from '../helpers/expected-rows.js';
import { type Harness, startHarness, V2_APP, V3_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('a full migration run', () => {
  it('migrates 300 accounts: every row as the simulator’s rules say, grants in the rows, steps in order', async () => {
    harness = await startHarness({ accounts: 300 });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    const record = await h.waitFor(request.migrationId);
    expect(record.status).toBe('completed');

    const report = h.recorder.reportOf(request.migrationId);
    if (!report) throw new Error('no report delivered');
    const { header, rows } = parseCsv(report.csv);
    expect(header).toEqual([...REPORT_COLUMNS]);
    expect(report.csv.startsWith(`${REPORT_COLUMNS.join(',')}\n`)).toBe(true);

    const accounts = h.sim.accounts(V2_APP.clientId);
    expect(rows.map((r) => r.v2_account_id)).toEqual(accounts.map((a) => a.id));
    const grantsById = new Map(h.sim.grants(V3_APP.applicationId).map((g) => [g.id, g]));
    for (const [i, account] of accounts.entries()) {
      const row = rows[i];
      if (!row) throw new Error(`row ${i} missing`);
      const expected = finalStatus(h.sim, V2_APP.clientId, account);
      expect({ id: account.id, status: row.status }).toEqual({ id: account.id, status: expected });
      expect(row).toMatchObject({
        email: account.email,
        provider: account.provider,
        v2_sync_state: account.sync_state,
        v2_billing_state: account.billing_state,
      });
      if (expected === 'migrated' || expected === 'placeholder') {
        const grant = grantsById.get(row.v3_grant_id ?? '');
        expect(grant?.account_id).toBe(account.id);
        expect(row.grant_status).toBe(expected === 'migrated' ? 'valid' : 'invalid');
      } else {
        expect(row.v3_grant_id).toBe('');
      }
      if (expected === 'failed') {
        expect(row.error_type).not.toBe('');
        expect(row.error_message).not.toBe('');
        expect(row.action_required).not.toBe('');
      } else {
        expect(row.error_type).toBe('');
      }
      if (expected === 'placeholder') expect(row.action_required).toMatch(/authenticate|sign in/i);
      if (expected === 'skipped') expect(row.error_message).toBe(`billing state is ${account.billing_state}`);
    }

    // Every status occurs in a realistic dataset, and nothing was cloned twice.
    const statuses = new Set(rows.map((r) => r.status));
    for (const status of ['migrated', 'placeholder', 'failed', 'skipped']) expect(statuses).toContain(status);
    const counters = h.sim.counters();
    expect(counters.duplicateGrants).toBe(0);
    // Flaky provider errors are retried within the run (no grant was made); nothing else is repeated.
    expect(unjustifiedRepeats(h.sim, V2_APP.clientId)).toEqual([]);
    expect(Object.values(counters.cloneCalls).some((calls) => calls === 2)).toBe(true);
    const skipped = rows.filter((r) => r.status === 'skipped').map((r) => r.v2_account_id ?? '');
    for (const id of skipped) expect(counters.cloneCalls[id]).toBeUndefined();

    // The summary matches the rows.
    const summary = report.summary;
    expect(summary.total).toBe(300);
    for (const status of ['migrated', 'placeholder', 'failed', 'skipped', 'cancelled'] as const) {
      expect(summary.counts[status]).toBe(rows.filter((r) => r.status === status).length);
    }
    expect(summary.cloneRate).toBeGreaterThan(0);
    expect(summary.reauthenticateTotal).toBeGreaterThan(0);
    expect(summary.reauthenticate.length).toBeLessThanOrEqual(20);

    // The thread hears of each step, in order, then the end.
    const events = h.recorder.eventsOf(request.migrationId);
    const kinds = events.map((e) => (e.type === 'step_done' ? `step:${e.step}` : e.type));
    expect(kinds).toEqual([
      'started',
      'step:link',
      'step:import',
      'step:settings',
      'connectors',
      'step:listing',
      'finished',
    ]);
    const connectors = events.find((e) => e.type === 'connectors');
    expect(connectors?.type === 'connectors' && connectors.connectors.map((c) => c.provider)).toContain(
      'google',
    );

    // Title, environment and description were applied after the import, keeping its icon.
    const application = h.sim.application(V3_APP.applicationId);
    expect(application.branding).toMatchObject({ name: 'Acme on v3', description: 'Moved by migrate-bot' });
    expect(application.branding.icon_url).toBeTruthy();
    expect(application.environment).toBe('production');

    // Progress reached the end, and the reservation is free again.
    const last = h.recorder.progress.filter((p) => p.migrationId === request.migrationId).at(-1)?.progress;
    expect(last).toMatchObject({ done: 300, total: 300 });
    expect(await h.records.active('v2', V2_APP.clientId)).toBeUndefined();
    const again = await h.producer.start(h.request());
    expect(again.ok).toBe(true);
  });
});
