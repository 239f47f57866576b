/** Clone outcome rules 1–9 over real HTTP, expectedOutcome's agreement with them, duplicates, lookups. */
import { describe, expect, it } from 'vitest';
import {
  type CloneFlags,
  type NylasSim,
  type SimV2Account,
  v3ProviderOf,
} from '../../testkit/nylas-sim/index.js';
import { isMicrosoft, isPersonalMicrosoftExchange, isRunning } from '../../testkit/nylas-sim/outcomes.js';
import {
  clone,
  findAccount,
  link,
  linkAndImport,
  mapLimit,
  startSim,
  V2_ID,
  V2_SECRET,
  V3_ID,
  V3_KEY,
  v3,
} from './nylas-helpers.js';

const FAST = { migrationRateLimit: 100_000, v3RateLimit: 100_000 };
const ON: CloneFlags = { allowInvalidGrantCreation: true, cloneExchange: true };

/** The flaky accounts are not in the public account shape: find them through expectedOutcome. */
function isFlaky(sim: NylasSim, account: SimV2Account): boolean {
  return sim.expectedOutcome(V2_ID, account.id, ON, 1).rule === 8;
}

describe('clone outcome rules', () => {
  it('rule 1: a v3 app linked to no v2 app refuses', async () => {
    const sim = await startSim(FAST);
    const account = findAccount(sim, () => true);
    const result = await clone(sim, account.id);
    expect(result.status).toBe(400);
    expect(result.json.error).toEqual({
      type: 'invalid_request_error',
      message: 'application is not linked to a v2 application',
    });
    expect(sim.grants(V3_ID)).toHaveLength(0);
  });

  it('rule 2: an id the linked v2 app does not have is "v2 account not found"', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const result = await clone(sim, 'zzzzzzzzzzzzzzzzzzzzzzzzz');
    expect(result.status).toBe(400);
    expect(result.json.error).toEqual({ type: 'invalid_request_error', message: 'v2 account not found' });
  });

  it('rule 3: a deleted account is refused whatever the flags', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const deleted = findAccount(sim, (a) => a.billing_state === 'deleted');
    for (const flags of [{}, { allowInvalidGrantCreation: false, cloneExchange: false }]) {
      const result = await clone(sim, deleted.id, flags);
      expect(result.status).toBe(400);
      expect(result.json.error).toEqual({
        type: 'invalid_request_error',
        message: 'v2 account has been deleted',
      });
    }
  });

  it('rule 4: no connector before import; yahoo never gets one', async () => {
    const sim = await startSim(FAST);
    await link(sim);
    const gmail = findAccount(sim, (a) => a.provider === 'gmail' && a.billing_state !== 'deleted');
    const before = await clone(sim, gmail.id);
    expect(before.status).toBe(400);
    expect(before.json.error.type).toBe('invalid_request_error');
    expect(before.json.error.message).toContain('google');

    expect((await v3(sim, 'POST', '/v3/migration-tools/import-v2-app')).status).toBe(200);
    const yahoo = findAccount(sim, (a) => a.provider === 'yahoo' && a.billing_state !== 'deleted');
    const result = await clone(sim, yahoo.id);
    expect(result.status).toBe(400);
    expect(result.json.error.type).toBe('invalid_request_error');
    expect(result.json.error.message).toContain('yahoo');
    expect(sim.grants(V3_ID)).toHaveLength(0);
  });

  it('rule 5: Microsoft personal accounts on Exchange: placeholder, or refused when clone_exchange=false', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const personal = sim
      .accounts(V2_ID)
      .filter((a) => isPersonalMicrosoftExchange(a) && a.billing_state !== 'deleted' && isRunning(a));
    expect(personal.some((a) => a.provider === 'eas')).toBe(true);
    expect(personal.some((a) => a.provider === 'hotmail' || a.provider === 'outlook')).toBe(true);
    for (const account of personal) {
      const refused = await clone(sim, account.id, { cloneExchange: false, allowInvalidGrantCreation: true });
      expect(refused.status).toBe(400);
      expect(refused.json.error.type).toBe('invalid_request_error');
      const placeholder = await clone(sim, account.id, {
        cloneExchange: true,
        allowInvalidGrantCreation: false,
      });
      expect(placeholder.status).toBe(200);
      expect(placeholder.json.data).toMatchObject({
        account_id: account.id,
        email: account.email,
        provider: 'microsoft',
        grant_status: 'invalid',
      });
    }
  });

  it('rule 6: other Microsoft accounts that are not running follow clone_exchange', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const stopped = findAccount(
      sim,
      (a) =>
        isMicrosoft(a) && !isPersonalMicrosoftExchange(a) && !isRunning(a) && a.billing_state !== 'deleted',
    );
    const refused = await clone(sim, stopped.id, { cloneExchange: false });
    expect(refused.status).toBe(400);
    expect(refused.json.error.type).toBe('invalid_request_error');
    // allow_invalid_grant_creation does not govern Microsoft accounts.
    const placeholder = await clone(sim, stopped.id, {
      cloneExchange: true,
      allowInvalidGrantCreation: false,
    });
    expect(placeholder.status).toBe(200);
    expect(placeholder.json.data).toMatchObject({ provider: 'microsoft', grant_status: 'invalid' });
  });

  it('rule 7: non-Microsoft accounts not running (or cancelled) follow allow_invalid_grant_creation', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const notRunning = findAccount(
      sim,
      (a) =>
        ['imap', 'gmail', 'icloud', 'aol'].includes(a.provider) &&
        a.sync_state !== 'running' &&
        a.billing_state === 'paid',
    );
    const cancelled = findAccount(
      sim,
      (a) =>
        !isMicrosoft(a) &&
        a.provider !== 'yahoo' &&
        a.billing_state === 'cancelled' &&
        a.sync_state === 'running',
    );
    for (const account of [notRunning, cancelled]) {
      const refused = await clone(sim, account.id, { allowInvalidGrantCreation: false, cloneExchange: true });
      expect(refused.status).toBe(400);
      expect(refused.json.error.type).toBe('invalid_request_error');
      expect(refused.json.error.message).toContain('allow_invalid_grant_creation');
      const placeholder = await clone(sim, account.id, {
        allowInvalidGrantCreation: true,
        cloneExchange: false,
      });
      expect(placeholder.status).toBe(200);
      expect(placeholder.json.data.grant_status).toBe('invalid');
      expect(placeholder.json.data.provider).toBe(v3ProviderOf(account.provider));
    }
  });

  it('rule 8: a flaky account fails its first attempt with provider_error, then succeeds', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const flaky = findAccount(sim, (a) => isFlaky(sim, a));
    const first = await clone(sim, flaky.id);
    expect(first.status).toBe(400);
    expect(first.json.error).toMatchObject({
      type: 'provider_error',
      message: expect.any(String),
      provider_error: { error: 'temporarily_unavailable' },
    });
    expect(sim.grants(V3_ID)).toHaveLength(0);
    const second = await clone(sim, flaky.id);
    expect(second.status).toBe(200);
    expect(second.json.data.grant_status).toBe('valid');
    expect(sim.expectedOutcome(V2_ID, flaky.id, ON, 2).kind).toBe('valid_grant');
  });

  it('rule 8: calls refused before the provider step are not attempts', async () => {
    const sim = await startSim(FAST);
    await link(sim);
    const flaky = findAccount(sim, (a) => isFlaky(sim, a));
    expect((await clone(sim, flaky.id)).json.error.type).toBe('invalid_request_error'); // rule 4: no import yet
    await v3(sim, 'POST', '/v3/migration-tools/import-v2-app');
    expect((await clone(sim, flaky.id)).json.error.type).toBe('provider_error');
  });

  it('rule 9: a running account with a connector gets a valid grant with the mapped provider', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const mapping: Record<string, string> = {
      gmail: 'google',
      graph: 'microsoft',
      icloud: 'icloud',
      imap: 'imap',
    };
    for (const [v2Provider, v3Provider] of Object.entries(mapping)) {
      const account = findAccount(
        sim,
        (a) => a.provider === v2Provider && isRunning(a) && a.billing_state === 'paid' && !isFlaky(sim, a),
      );
      const result = await clone(sim, account.id, { allowInvalidGrantCreation: false, cloneExchange: false });
      expect(result.status).toBe(200);
      const grant = result.json.data;
      expect(grant).toMatchObject({
        account_id: account.id,
        email: account.email,
        name: account.name,
        provider: v3Provider,
        grant_status: 'valid',
      });
      expect(grant.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(grant.id).not.toBe(account.id);
      expect(Array.isArray(grant.scope)).toBe(true);
      expect(Math.abs(grant.created_at - Date.now() / 1000)).toBeLessThan(60);
    }
  });

  it('rejects query booleans other than true/false', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const account = findAccount(sim, () => true);
    const result = await v3(sim, 'POST', `/v3/migration-tools/grants/${account.id}/clone?clone_exchange=yes`);
    expect(result.status).toBe(400);
    expect(result.json.error.type).toBe('invalid_request_error');
  });
});

describe('expectedOutcome', () => {
  it('agrees with the real answers for every account, under each flag combination', async () => {
    const flagSets: CloneFlags[] = [
      { allowInvalidGrantCreation: true, cloneExchange: true },
      { allowInvalidGrantCreation: false, cloneExchange: true },
      { allowInvalidGrantCreation: true, cloneExchange: false },
      { allowInvalidGrantCreation: false, cloneExchange: false },
    ];
    const sim = await startSim({
      ...FAST,
      v2Apps: [{ clientId: V2_ID, clientSecret: V2_SECRET, accounts: 400, seed: 5 }],
    });
    await linkAndImport(sim);
    const accounts = sim.accounts(V2_ID);
    const kinds = new Set<string>();
    const rules = new Set<number | undefined>();
    await mapLimit(accounts, 16, async (account) => {
      const flags = flagSets[accounts.indexOf(account) % flagSets.length] as CloneFlags;
      const expected = sim.expectedOutcome(V2_ID, account.id, flags);
      kinds.add(expected.kind);
      rules.add(expected.rule);
      const result = await clone(sim, account.id, flags);
      if (expected.kind === 'error') {
        expect(result.status, account.id).toBe(expected.status);
        expect(result.json.error.type).toBe(expected.errorType);
        expect(result.json.error.message).toBe(expected.message);
      } else {
        expect(result.status, account.id).toBe(200);
        expect(result.json.data.grant_status).toBe(expected.kind === 'valid_grant' ? 'valid' : 'invalid');
        expect(result.json.data.provider).toBe(expected.grantProvider);
      }
    });
    expect([...kinds].sort()).toEqual(['error', 'invalid_grant', 'valid_grant']);
    expect([...rules].sort()).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('duplicates and grant lookups', () => {
  it('re-cloning creates a new grant each time and duplicateGrants counts the account once', async () => {
    const sim = await startSim(FAST);
    await linkAndImport(sim);
    const account = findAccount(sim, (a) => sim.expectedOutcome(V2_ID, a.id, ON).kind === 'valid_grant');
    const other = findAccount(
      sim,
      (a) => a.id !== account.id && sim.expectedOutcome(V2_ID, a.id, ON).kind === 'valid_grant',
    );
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await clone(sim, account.id)).json.data.id);
    await clone(sim, other.id);
    expect(new Set(ids).size).toBe(3);
    expect(sim.counters()).toMatchObject({
      grantsCreated: 4,
      duplicateGrants: 1,
      cloneCalls: { [account.id]: 3, [other.id]: 1 },
    });
    expect(sim.grants(V3_ID).filter((g) => g.account_id === account.id)).toHaveLength(3);

    // resetCounters clears counts, not the stored duplicates.
    sim.resetCounters();
    expect(sim.counters()).toMatchObject({ grantsCreated: 0, duplicateGrants: 1, cloneCalls: {} });
  });

  it('GET /v3/grants filters by account_id and account_ids, pages by offset, and only shows this app', async () => {
    const sim = await startSim({
      ...FAST,
      v3Apps: [
        { applicationId: V3_ID, apiKey: V3_KEY, region: 'us' },
        { applicationId: 'v3-second', apiKey: 'nyk_second', region: 'us' },
      ],
    });
    await linkAndImport(sim);
    await linkAndImport(sim, 'nyk_second');
    const grantable = sim
      .accounts(V2_ID)
      .filter((a) => sim.expectedOutcome(V2_ID, a.id, ON).kind !== 'error')
      .slice(0, 25);
    for (const account of grantable) expect((await clone(sim, account.id)).status).toBe(200);
    const [a, b, c] = grantable as [SimV2Account, SimV2Account, SimV2Account];
    await clone(sim, a.id, {}, 'nyk_second');

    const one = await v3(sim, 'GET', `/v3/grants?account_id=${a.id}`);
    expect(one.json.data).toHaveLength(1);
    expect(one.json.data[0].account_id).toBe(a.id);
    const some = await v3(sim, 'GET', `/v3/grants?account_ids=${a.id},${b.id},${c.id}&limit=200`);
    expect(some.json.data.map((g: { account_id: string }) => g.account_id).sort()).toEqual(
      [a.id, b.id, c.id].sort(),
    );
    const none = await v3(sim, 'GET', '/v3/grants?account_id=nope');
    expect(none.json.data).toEqual([]);

    // Offset paging: default limit 10, disjoint pages covering all 25 grants.
    const pages = [];
    for (let offset = 0; offset < 30; offset += 10) {
      const page = await v3(sim, 'GET', `/v3/grants?offset=${offset}`);
      expect(page.json).toMatchObject({ limit: 10, offset });
      pages.push(...page.json.data.map((g: { id: string }) => g.id));
    }
    expect(pages).toHaveLength(25);
    expect(new Set(pages).size).toBe(25);
    expect((await v3(sim, 'GET', '/v3/grants?limit=201')).status).toBe(400);

    const second = await v3(sim, 'GET', '/v3/grants?limit=200', { key: 'nyk_second' });
    expect(second.json.data).toHaveLength(1);
    expect(sim.counters().duplicateGrants).toBe(0); // one grant per account in each app
  });
});
