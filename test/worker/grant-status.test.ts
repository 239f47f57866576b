/**
 * v3 grants whose status is not in the clone rules: `blocked` (a value of the GrantObject's enum), and
 * no `grant_status` at all (the field is optional). The CSV says what each means and what to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, expectedStatus, finalStatus, parseCsv } from '../helpers/expected-rows.js';
import { type Harness, startHarness, V2_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('grant statuses outside the clone rules', () => {
  it('a blocked grant is a placeholder to take up with Nylas; a grant without status is migrated, to be checked', async () => {
    harness = await startHarness({ accounts: 30 });
    const h = harness;
    // Two accounts the rules would migrate to a valid grant.
    const [blocked, silent] = h.sim
      .accounts(V2_APP.clientId)
      .filter((account) => expectedStatus(h.sim, V2_APP.clientId, account, DEFAULT_OPTIONS) === 'migrated');
    if (!blocked || !silent) throw new Error('the dataset has fewer than two accounts that migrate');
    h.sim.setGrantStatus(blocked.id, 'blocked');
    h.sim.setGrantStatus(silent.id, 'absent');

    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    const { rows } = parseCsv(h.recorder.reportOf(request.migrationId)?.csv ?? '');
    expect(rows).toHaveLength(30);
    const rowOf = (id: string) => rows.find((row) => row.v2_account_id === id);
    const grantOf = (id: string) => h.sim.grants(request.v3AppId).find((grant) => grant.account_id === id);

    expect(rowOf(blocked.id)).toMatchObject({
      status: 'placeholder',
      v3_grant_id: grantOf(blocked.id)?.id,
      grant_status: 'blocked',
      error_type: '',
      action_required:
        'The grant is blocked at Nylas: ask Nylas support why; the user cannot use it until then',
    });
    expect(grantOf(silent.id)).not.toHaveProperty('grant_status');
    expect(rowOf(silent.id)).toMatchObject({
      status: 'migrated',
      v3_grant_id: grantOf(silent.id)?.id,
      grant_status: '',
      error_type: '',
      action_required: 'Nylas did not say whether this grant is valid: check it in the Nylas Dashboard',
    });
    // The other accounts are as the rules say.
    for (const account of h.sim.accounts(V2_APP.clientId).filter((a) => a !== blocked && a !== silent))
      expect(rowOf(account.id)?.status).toBe(finalStatus(h.sim, V2_APP.clientId, account));
  });
});
