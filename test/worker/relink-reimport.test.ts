/**
 * Linking a linked pair again and importing twice are undocumented at Nylas. The simulator plays the
 * strict reading (both answer 400); the bot must finish its runs without a duplicate grant anyway.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { finalStatus, parseCsv } from '../helpers/expected-rows.js';
import { type Harness, startHarness, V2_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const STRICT = { relinkLinkedPair: 'reject', repeatedImport: 'reject' } as const;
const LINK = 'POST /v3/migration-tools/link-v2v3-apps';
const IMPORT = 'POST /v3/migration-tools/import-v2-app';

async function expectRowsAsTheRulesSay(h: Harness, migrationId: string) {
  const rows = parseCsv(h.recorder.reportOf(migrationId)?.csv ?? '').rows;
  const accounts = h.sim.accounts(V2_APP.clientId);
  expect(rows.map((r) => r.v2_account_id)).toEqual(accounts.map((a) => a.id));
  accounts.forEach((account, i) => {
    expect({ id: account.id, status: rows[i]?.status }).toEqual({
      id: account.id,
      status: finalStatus(h.sim, V2_APP.clientId, account),
    });
  });
}

describe('re-link and re-import refused (the strict reading)', () => {
  it('a link whose first attempt linked but got no answer: the retry’s 400 is read as linked', async () => {
    harness = await startHarness({ accounts: 30, sim: { readings: STRICT, timeoutHangMs: 1_500 } });
    const h = harness;
    h.sim.injectFaults({ match: 'link', times: 1, kind: 'timeout' });
    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    // The first attempt linked (then timed out), the retry was refused: two calls, one link.
    expect(h.sim.counters().requests[LINK]).toBe(2);
    expect(h.sim.application('v3-acme').v2_application_id).toBe(V2_APP.clientId);
    await expectRowsAsTheRulesSay(h, request.migrationId);
  });

  it('an import whose first attempt imported but got no answer: the retry’s 400 is a warning', async () => {
    harness = await startHarness({ accounts: 30, sim: { readings: STRICT, timeoutHangMs: 1_500 } });
    const h = harness;
    h.sim.injectFaults({ match: 'import', times: 1, kind: 'timeout' });
    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    expect(h.sim.counters().requests[IMPORT]).toBe(2);
    const warning = h.recorder
      .eventsOf(request.migrationId)
      .find((e) => e.type === 'warning' && e.step === 'import');
    expect(warning).toMatchObject({
      text: expect.stringMatching(
        /^Nylas refused to import the v2 settings again \(400 invalid_request_error: /,
      ),
    });
    await expectRowsAsTheRulesSay(h, request.migrationId);
  });

  it('a second full migration of the pair: no second link, the refused import is a warning, no duplicate', async () => {
    harness = await startHarness({ accounts: 40, sim: { readings: STRICT } });
    const h = harness;
    h.startWorker();
    const first = await h.start();
    expect((await h.waitFor(first.migrationId)).status).toBe('completed');
    const second = await h.start();
    expect((await h.waitFor(second.migrationId)).status).toBe('completed');
    expect(h.sim.counters().requests[LINK]).toBe(1);
    expect(h.sim.counters().requests[IMPORT]).toBe(2);
    expect(h.recorder.eventsOf(second.migrationId).map((e) => e.type)).toContain('warning');
    expect(h.sim.counters().duplicateGrants).toBe(0);
    const rows = parseCsv(h.recorder.reportOf(second.migrationId)?.csv ?? '').rows;
    // Every grant of the first run is found, not made again.
    for (const row of rows.filter((r) => r.status === 'migrated' || r.status === 'placeholder')) {
      expect(h.sim.grants('v3-acme').filter((g) => g.account_id === row.v2_account_id)).toHaveLength(1);
    }
  });

  it('a first import refused with no reason to think it happened still fails the run, plainly', async () => {
    harness = await startHarness({ accounts: 10 });
    const h = harness;
    h.sim.injectFaults({
      match: 'import',
      times: 1,
      kind: 'status',
      status: 400,
      message: 'v2 application has already been imported',
    });
    h.startWorker();
    const request = await h.start();
    const record = await h.waitFor(request.migrationId);
    expect(record.status).toBe('failed');
    expect(record.reason).toMatch(
      /^Importing the v2 settings failed: 400 invalid_request_error: v2 application has already been imported/,
    );
  });
});
