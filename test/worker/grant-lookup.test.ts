/**
 * The lookup that prevents duplicates (`GET /v3/grants?account_ids=`) under both readings of its
 * undocumented list format: the bot calibrates it, falls back to one id per lookup when needed, says
 * so in the thread, and never clones an account that already has a grant.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../helpers/expected-rows.js';
import { type Harness, startHarness, V3_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const GRANTS = 'GET /v3/grants';
const FALLBACK = /^Nylas did not return both known grants for a two-account lookup/;

const fallbackWarnings = (h: Harness, migrationId: string) =>
  h.recorder
    .eventsOf(migrationId)
    .filter((e) => e.type === 'warning' && e.step === 'cloning' && FALLBACK.test(e.text));

describe.each(['comma', 'repeated'] as const)('account_ids read as %s', (reading) => {
  it('a second full run finds every grant of the first: no account is cloned twice', async () => {
    harness = await startHarness({ accounts: 120, sim: { readings: { accountIdsList: reading } } });
    const h = harness;
    h.startWorker();
    const first = await h.start();
    expect((await h.waitFor(first.migrationId)).status).toBe('completed');
    const withGrant = new Set(h.sim.grants(V3_APP.applicationId).map((g) => g.account_id));
    expect(withGrant.size).toBeGreaterThan(60);
    const clonesBefore = { ...h.sim.counters().cloneCalls };
    const lookupsBefore = h.sim.counters().requests[GRANTS] ?? 0;

    const second = await h.start();
    expect((await h.waitFor(second.migrationId)).status).toBe('completed');
    expect(h.sim.counters().duplicateGrants).toBe(0);
    for (const accountId of withGrant) {
      expect({ accountId, calls: h.sim.counters().cloneCalls[accountId] }).toEqual({
        accountId,
        calls: clonesBefore[accountId],
      });
    }
    // The report of the second run shows the grants the first one made.
    const rows = parseCsv(h.recorder.reportOf(second.migrationId)?.csv ?? '').rows;
    const grantOf = new Map(h.sim.grants(V3_APP.applicationId).map((g) => [g.account_id, g.id]));
    for (const row of rows.filter((r) => withGrant.has(r.v2_account_id ?? ''))) {
      expect(row.v3_grant_id).toBe(grantOf.get(row.v2_account_id ?? ''));
    }

    // The one-by-one lookups are paced: none of them ran into the v3 rate limit and failed a row.
    for (const run of [first, second]) {
      const reported = parseCsv(h.recorder.reportOf(run.migrationId)?.csv ?? '').rows;
      expect(reported.filter((r) => r.error_type === 'nylas_rate_limit_exceeded')).toEqual([]);
    }
    const lookups = (h.sim.counters().requests[GRANTS] ?? 0) - lookupsBefore;
    if (reading === 'comma') {
      expect(fallbackWarnings(h, second.migrationId)).toEqual([]);
      // Calibration (a sample and one two-id lookup), then one lookup per chunk of 50.
      expect(lookups).toBeLessThanOrEqual(2 + 3 + 5);
    } else {
      expect(fallbackWarnings(h, second.migrationId)).toHaveLength(1);
      // One lookup per account still without an outcome (the first run's skipped ones are skipped again).
      expect(lookups).toBeGreaterThanOrEqual(withGrant.size);
    }
  });
});

describe('calibration', () => {
  it('a first run on an app with no migrated grant needs no fallback to be right, and says nothing', async () => {
    harness = await startHarness({ accounts: 40, sim: { readings: { accountIdsList: 'repeated' } } });
    const h = harness;
    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    // 40 accounts: one chunk, looked up while the app had no grant — any reading answers [] rightly.
    expect(fallbackWarnings(h, request.migrationId)).toEqual([]);
    expect(h.sim.counters().duplicateGrants).toBe(0);
  });
});
