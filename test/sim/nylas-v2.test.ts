/** The v2 side: auth, the application object, account paging, the host going down, the dataset. */
import { describe, expect, it } from 'vitest';
import { generateDataset, type SimV2Account } from '../../testkit/nylas-sim/index.js';
import { isPersonalMicrosoftExchange, isRunning } from '../../testkit/nylas-sim/outcomes.js';
import { startSim, V2_ID, V2_SECRET, v2Get } from './nylas-helpers.js';

describe('v2 auth', () => {
  it('accepts the client secret as Basic username and refuses anything else in v2 shape', async () => {
    const sim = await startSim();
    expect((await v2Get(sim, `/a/${V2_ID}`)).status).toBe(200);
    for (const secret of ['wrong-secret', '', V2_ID]) {
      const denied = await v2Get(sim, `/a/${V2_ID}/accounts`, secret);
      expect(denied.status).toBe(401);
      expect(denied.json).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
    }
    // The password must be empty: `id:secret` or `secret:secret` is not v2's Basic auth.
    for (const credentials of [`${V2_SECRET}:${V2_SECRET}`, `${V2_ID}:${V2_SECRET}`, V2_SECRET]) {
      const denied = await fetch(`${sim.url}/a/${V2_ID}/accounts`, {
        headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
      });
      expect(denied.status, credentials).toBe(401);
    }
    const anonymous = await fetch(`${sim.url}/a/${V2_ID}/accounts`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ type: 'invalid_request_error' });
    // A valid secret of another app does not open this one.
    const other = await v2Get(sim, '/a/unknown-client/accounts');
    expect(other.status).toBe(401);
  });

  it('GET /a/{client_id} answers the v2 application object', async () => {
    const sim = await startSim({
      v2Apps: [
        {
          clientId: V2_ID,
          clientSecret: V2_SECRET,
          name: 'Acme Mail',
          accounts: 1,
          redirectUris: ['https://acme.example/cb', 'http://localhost:3000/cb'],
        },
      ],
    });
    const app = await v2Get(sim, `/a/${V2_ID}`);
    expect(app.json).toEqual({
      application_name: 'Acme Mail',
      icon_url: expect.stringMatching(/^https:\/\//),
      redirect_uris: ['https://acme.example/cb', 'http://localhost:3000/cb'],
    });
    expect(app.headers.get('x-request-id')).toBeNull();
  });
});

describe('v2 account listing', () => {
  it('pages 1,234 accounts as bare arrays in a stable order with unique ids', async () => {
    const sim = await startSim({
      v2Apps: [{ clientId: V2_ID, clientSecret: V2_SECRET, accounts: 1234, seed: 9 }],
    });
    const seen: SimV2Account[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await v2Get(sim, `/a/${V2_ID}/accounts?offset=${offset}&limit=500`);
      expect(page.status).toBe(200);
      expect(Array.isArray(page.json)).toBe(true);
      seen.push(...page.json);
      if (page.json.length < 500) break;
    }
    expect(seen).toHaveLength(1234);
    expect(new Set(seen.map((a) => a.id)).size).toBe(1234);
    expect(new Set(seen.map((a) => a.email)).size).toBe(1234);
    expect(seen).toEqual(sim.accounts(V2_ID));

    // Same order on a second pass with another page size; default limit is 100.
    const first = await v2Get(sim, `/a/${V2_ID}/accounts`);
    expect(first.json).toHaveLength(100);
    expect(first.json).toEqual(seen.slice(0, 100));
    const odd = await v2Get(sim, `/a/${V2_ID}/accounts?offset=1230&limit=1000`);
    expect(odd.json).toEqual(seen.slice(1230));
    const past = await v2Get(sim, `/a/${V2_ID}/accounts?offset=5000`);
    expect(past.json).toEqual([]);
  });

  it('answers accounts with exactly the v2 fields', async () => {
    const sim = await startSim();
    const page = await v2Get(sim, `/a/${V2_ID}/accounts?limit=1000`);
    for (const account of page.json as SimV2Account[]) {
      expect(Object.keys(account).sort()).toEqual(
        [
          'account_id',
          'authentication_type',
          'billing_state',
          'email',
          'id',
          'name',
          'namespace_id',
          'object',
          'provider',
          'sync_state',
          'trial',
        ].sort(),
      );
      expect(account.id).toMatch(/^[a-z0-9]{25}$/);
      expect(account.account_id).toBe(account.id);
      expect(account.namespace_id).toMatch(/^[a-z0-9]{25}$/);
      expect(account.object).toBe('account');
      expect(account.email).toMatch(/^[^@\s]+@[a-z0-9.-]+\.[a-z]+$/);
    }
  });

  it('refuses a limit above 1000 and malformed paging with 400 in v2 shape', async () => {
    const sim = await startSim();
    for (const query of ['limit=1001', 'limit=abc', 'offset=-1', 'limit=0']) {
      const bad = await v2Get(sim, `/a/${V2_ID}/accounts?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.json).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
    }
    expect((await v2Get(sim, `/a/${V2_ID}/accounts?limit=1000`)).json).toHaveLength(200);
  });

  it('setV2Down makes every v2 request answer 503 api_error until it is back', async () => {
    const sim = await startSim();
    sim.setV2Down(true);
    for (const path of [`/a/${V2_ID}`, `/a/${V2_ID}/accounts`]) {
      const down = await v2Get(sim, path);
      expect(down.status).toBe(503);
      expect(down.json).toEqual({ message: expect.any(String), type: 'api_error' });
    }
    sim.setV2Down(false);
    expect((await v2Get(sim, `/a/${V2_ID}/accounts`)).status).toBe(200);
  });
});

describe('dataset', () => {
  it('is deterministic for a seed and differs across seeds and client ids', () => {
    const a = generateDataset('client', 500, 1);
    expect(generateDataset('client', 500, 1).accounts).toEqual(a.accounts);
    expect([...generateDataset('client', 500, 1).flaky]).toEqual([...a.flaky]);
    expect(generateDataset('client', 500, 2).accounts[0]?.id).not.toBe(a.accounts[0]?.id);
    // Without a seed, the client id decides.
    expect(generateDataset('client', 50).accounts).toEqual(generateDataset('client', 50).accounts);
    expect(generateDataset('other', 50).accounts[0]?.id).not.toBe(
      generateDataset('client', 50).accounts[0]?.id,
    );
  });

  it('has every category the clone rules tell apart, even at 100 accounts', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { accounts, flaky } = generateDataset(`client-${seed}`, 100, seed);
      const has = (p: (a: SimV2Account) => boolean): boolean => accounts.some(p);
      expect(has((a) => a.billing_state === 'deleted')).toBe(true);
      expect(has((a) => a.billing_state === 'cancelled')).toBe(true);
      expect(has((a) => a.provider === 'yahoo')).toBe(true);
      expect(has((a) => isPersonalMicrosoftExchange(a) && a.provider === 'eas')).toBe(true);
      expect(has((a) => ['graph', 'office365', 'exchange'].includes(a.provider) && !isRunning(a))).toBe(true);
      expect(
        has((a) => ['imap', 'icloud', 'gmail', 'aol'].includes(a.provider) && a.sync_state !== 'running'),
      ).toBe(true);
      for (const provider of [
        'gmail',
        'graph',
        'office365',
        'exchange',
        'eas',
        'hotmail',
        'outlook',
        'imap',
        'icloud',
        'yahoo',
        'aol',
        'nylas',
      ]) {
        expect(
          has((a) => a.provider === provider),
          provider,
        ).toBe(true);
      }
      // v2's other states: partial (still syncing) and invalid (credentials no longer work).
      expect(has((a) => a.sync_state === 'partial' && a.billing_state === 'paid')).toBe(true);
      expect(has((a) => a.sync_state === 'invalid' && a.billing_state === 'paid')).toBe(true);
      expect(flaky.size).toBeGreaterThanOrEqual(1);
    }
  });

  // How fast it builds is the benchmark's business (no timed assertions in tests: they fail under load).
  it('has a realistic mix at 100,000 accounts', () => {
    const { accounts, flaky } = generateDataset('big', 100_000, 7);
    const share = (p: (a: SimV2Account) => boolean): number => accounts.filter(p).length / accounts.length;
    expect(share((a) => a.provider === 'gmail')).toBeGreaterThan(0.3);
    expect(share((a) => a.provider === 'gmail')).toBeLessThan(0.4);
    expect(share((a) => a.sync_state === 'running')).toBeGreaterThan(0.75);
    expect(share((a) => a.billing_state === 'deleted')).toBeGreaterThan(0.02);
    expect(share((a) => a.billing_state === 'deleted')).toBeLessThan(0.04);
    expect(share((a) => a.billing_state === 'cancelled')).toBeGreaterThan(0.04);
    expect(share((a) => isPersonalMicrosoftExchange(a))).toBeGreaterThan(0.1);
    expect(flaky.size / accounts.length).toBeGreaterThan(0.015);
    expect(flaky.size / accounts.length).toBeLessThan(0.025);
    expect(new Set(accounts.map((a) => a.email)).size).toBe(100_000);
  });
});
