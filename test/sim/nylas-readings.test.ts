/**
 * Behaviour Nylas does not document, played each plausible way (`readings`), and the fidelity points a
 * client must survive: 5xx answers that came after the work was done, partial/invalid accounts,
 * virtual-calendar accounts.
 */
import { describe, expect, it } from 'vitest';
import { decideClone } from '../../testkit/nylas-sim/index.js';
import { clone, findAccount, link, linkAndImport, startSim, V3_ID, v3 } from './nylas-helpers.js';

const DEFAULT_FLAGS = { allowInvalidGrantCreation: true, cloneExchange: true };

describe('undocumented behaviour, each reading', () => {
  it('account_ids: comma (default) reads a,b as two ids; repeated reads it as one and finds nothing', async () => {
    for (const reading of ['comma', 'repeated'] as const) {
      const sim = await startSim({ readings: { accountIdsList: reading } });
      await linkAndImport(sim);
      const valid = sim
        .accounts('v2-acme')
        .filter((a) => sim.expectedOutcome('v2-acme', a.id, DEFAULT_FLAGS).kind === 'valid_grant')
        .slice(0, 2);
      for (const account of valid) expect((await clone(sim, account.id)).status).toBe(200);
      const [a, b] = valid.map((account) => account.id);
      const commas = await v3(sim, 'GET', `/v3/grants?account_ids=${a},${b}`);
      const repeated = await v3(sim, 'GET', `/v3/grants?account_ids=${a}&account_ids=${b}`);
      const ids = (result: { json: { data: Array<{ account_id: string }> } }) =>
        result.json.data.map((g) => g.account_id).sort();
      expect(ids(repeated)).toEqual([a, b].sort());
      expect(ids(commas)).toEqual(reading === 'comma' ? [a, b].sort() : []);
    }
  });

  it('import answer: message (default, the spec’s schema) or two jobs whose batch clone runs on', async () => {
    const plain = await startSim();
    await link(plain);
    const message = await v3(plain, 'POST', '/v3/migration-tools/import-v2-app');
    expect(typeof message.json.data).toBe('string');
    expect((await v3(plain, 'GET', '/v3/migration-tools/jobs')).json.data).toEqual([]);

    const jobs = await startSim({ readings: { importAnswer: 'jobs' }, jobStepMs: 1 });
    await link(jobs);
    const answer = await v3(jobs, 'POST', '/v3/migration-tools/import-v2-app');
    expect(answer.status).toBe(200);
    expect(answer.json.data.map((j: { type: string; status: string }) => [j.type, j.status])).toEqual([
      ['snapshot', 'running'],
      ['migration', 'pending'],
    ]);
    // The jobs finish in the background: wait for the listing to say so, then the grants are there.
    for (;;) {
      const listed = await v3(jobs, 'GET', '/v3/migration-tools/jobs?status=pending,running');
      if (listed.json.data.length === 0) break;
    }
    expect(jobs.grants(V3_ID).length).toBeGreaterThan(100);
    // Only accounts never cloned in the app: a second import's batch finds nothing new to clone.
    const before = jobs.grants(V3_ID).length;
    await v3(jobs, 'POST', '/v3/migration-tools/import-v2-app');
    for (;;) {
      const listed = await v3(jobs, 'GET', '/v3/migration-tools/jobs?status=pending,running');
      if (listed.json.data.length === 0) break;
    }
    expect(jobs.counters().duplicateGrants).toBe(0);
    expect(jobs.grants(V3_ID).length).toBe(before);
  });

  it('re-linking a linked pair: re-link (default) answers 200, reject answers 400', async () => {
    const relinks = await startSim();
    expect((await link(relinks)).status).toBe(200);
    expect((await link(relinks)).status).toBe(200);

    const rejects = await startSim({ readings: { relinkLinkedPair: 'reject' } });
    expect((await link(rejects)).status).toBe(200);
    const again = await link(rejects);
    expect(again.status).toBe(400);
    expect(again.json.error).toEqual({
      type: 'invalid_request_error',
      message: 'application is already linked to this v2 application',
    });
    expect(rejects.application(V3_ID).v2_application_id).toBe('v2-acme');
  });

  it('a repeated import: re-import (default) answers 200, reject answers 400', async () => {
    const reimports = await startSim();
    await linkAndImport(reimports);
    expect((await v3(reimports, 'POST', '/v3/migration-tools/import-v2-app')).status).toBe(200);

    const rejects = await startSim({ readings: { repeatedImport: 'reject' } });
    await linkAndImport(rejects);
    const again = await v3(rejects, 'POST', '/v3/migration-tools/import-v2-app');
    expect(again.status).toBe(400);
    expect(again.json.error.type).toBe('invalid_request_error');
  });
});

describe('fidelity', () => {
  it('a 5xx that came after the work: the clone answers 503, yet its grant exists', async () => {
    const sim = await startSim();
    await linkAndImport(sim);
    const account = findAccount(
      sim,
      (a) => sim.expectedOutcome('v2-acme', a.id, DEFAULT_FLAGS).kind === 'valid_grant',
    );
    sim.injectFaults({
      match: 'clone',
      accountId: account.id,
      times: 1,
      kind: 'status',
      status: 503,
      acted: true,
    });
    const result = await clone(sim, account.id);
    expect(result.status).toBe(503);
    expect(sim.grants(V3_ID).map((g) => g.account_id)).toEqual([account.id]);
  });

  it('random 5xx: with actedShare 1 every failed clone still made its grant', async () => {
    const sim = await startSim({ faults: { transient5xxRate: 1, actedShare: 1 } });
    await linkAndImport(sim);
    const account = findAccount(
      sim,
      (a) => sim.expectedOutcome('v2-acme', a.id, DEFAULT_FLAGS).kind === 'valid_grant',
    );
    expect([500, 502, 503]).toContain((await clone(sim, account.id)).status);
    expect(sim.grants(V3_ID)).toHaveLength(1);
  });

  it('partial accounts clone like running ones; invalid ones become placeholders', async () => {
    const sim = await startSim();
    await linkAndImport(sim);
    const partial = findAccount(
      sim,
      (a) => a.sync_state === 'partial' && a.billing_state === 'paid' && a.provider === 'gmail',
    );
    const invalid = findAccount(
      sim,
      (a) => a.sync_state === 'invalid' && a.billing_state === 'paid' && a.provider === 'imap',
    );
    expect((await clone(sim, partial.id)).json.data.grant_status).toBe('valid');
    expect((await clone(sim, invalid.id)).json.data.grant_status).toBe('invalid');
  });

  it('v2 `nylas` accounts (virtual calendars) clone to the virtual-calendar provider', async () => {
    const sim = await startSim();
    await linkAndImport(sim);
    const account = findAccount(sim, (a) => a.provider === 'nylas' && a.billing_state === 'paid');
    // The import makes no virtual-calendar connector: the clone names the provider it needs.
    const refused = await clone(sim, account.id);
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/no virtual-calendar connector/);
    const decision = decideClone({
      linked: true,
      account,
      connectors: new Set(['virtual-calendar']),
      flaky: false,
      attempt: 1,
      flags: DEFAULT_FLAGS,
    });
    expect(decision).toMatchObject({ kind: 'grant', provider: 'virtual-calendar' });
  });
});
