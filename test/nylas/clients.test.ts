import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NylasError } from '../../src/nylas/errors.js';
import { createHttpCore, type HttpCore } from '../../src/nylas/http-core.js';
import { createMigrationClient } from '../../src/nylas/migration-client.js';
import { createV2Client } from '../../src/nylas/v2-client.js';
import { createV3Client } from '../../src/nylas/v3-client.js';
import { Secret } from '../../src/shared/secret.js';
import { type NylasSim, startNylasSim } from '../../testkit/nylas-sim/index.js';

const V2 = { clientId: 'v2-acme', clientSecret: 'v2-secret' };
const V3 = { applicationId: 'v3-acme', apiKey: 'nyk_v0_acme' };
const flags = { allowInvalidGrantCreation: true, cloneExchange: true };

let sim: NylasSim;
let http: HttpCore;
const sleeps: number[] = [];

beforeEach(async () => {
  sim = await startNylasSim({
    v2Apps: [{ ...V2, accounts: 1234, seed: 7 }],
    v3Apps: [{ ...V3, region: 'us' }],
    timeoutHangMs: 5_000,
  });
  sleeps.length = 0;
  http = createHttpCore({
    baseUrl: sim.url,
    timeoutMs: 400,
    maxAttempts: 3,
    baseDelayMs: 5,
    maxDelayMs: 20,
    // Real waits, but recorded so the test can check what the core asked for.
    sleep: async (ms) => {
      sleeps.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 1_100)));
    },
  });
});
afterEach(async () => {
  await sim.close();
});

const v2 = (secret = V2.clientSecret) =>
  createV2Client({ http, clientId: V2.clientId, clientSecret: new Secret(secret) });
const v3 = (key = V3.apiKey) => createV3Client({ http, apiKey: new Secret(key) });
const migration = (key = V3.apiKey) => createMigrationClient({ http, apiKey: new Secret(key) });

async function failure(promise: Promise<unknown>): Promise<NylasError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NylasError);
  return error as NylasError;
}

describe('v2 client against the simulator', () => {
  it('pages through 1,234 accounts in listing order', async () => {
    const pages: number[] = [];
    for await (const page of v2().accountPages()) pages.push(page.accounts.length);
    expect(pages).toEqual([...Array(12).fill(100), 34]);
    const ids: string[] = [];
    for await (const account of v2().accounts()) ids.push(account.id);
    expect(ids).toEqual(sim.accounts(V2.clientId).map((a) => a.id));
    expect(sim.counters().requests['GET /a/:client_id/accounts']).toBe(26);
  });

  it('resumes the listing from an offset', async () => {
    const first = await v2().accountPages({ startOffset: 1200, pageSize: 100 }).next();
    if (first.done) throw new Error('no page');
    expect(first.value).toMatchObject({ offset: 1200, last: true });
    expect(first.value.accounts.map((a) => a.id)).toEqual(
      sim
        .accounts(V2.clientId)
        .slice(1200)
        .map((a) => a.id),
    );
  });

  it('reads the application and reports a wrong secret as 401', async () => {
    expect(await v2().getApplication()).toHaveProperty('redirect_uris');
    const error = await failure(v2('wrong').getApplication());
    expect(error.status).toBe(401);
    expect(error.attempts).toBe(1);
  });
});

describe('v3 and migration clients against the simulator', () => {
  it('links with the BasicV2 header, imports, and clones with both flags', async () => {
    const linked = await migration().linkApps(V2.clientId, new Secret(V2.clientSecret));
    expect(linked.v2_application_id).toBe(V2.clientId);
    await migration().importV2App();
    const account = sim
      .accounts(V2.clientId)
      .find((a) => a.provider === 'gmail' && a.sync_state === 'running' && a.billing_state === 'paid');
    if (!account) throw new Error('dataset has no plain Gmail account');
    const expected = sim.expectedOutcome(V2.clientId, account.id, flags);
    const grant = await migration().cloneAccount(account.id, flags);
    expect(grant.account_id).toBe(account.id);
    expect(grant.grant_status).toBe(expected.kind === 'valid_grant' ? 'valid' : 'invalid');
    const found = await v3().listGrants({ accountId: account.id });
    expect(found.grants.map((g) => g.id)).toEqual([grant.id]);
  });

  it('reports a 400 at once with Nylas’s type and message', async () => {
    const error = await failure(migration().importV2App()); // not linked yet
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      attempts: 1,
      retryable: false,
    });
    expect(error.message).toMatch(/linked/i);
    expect(error.requestId).toBeTruthy();
  });

  it('rejects a wrong API key and a wrong BasicV2 secret', async () => {
    expect((await failure(v3('nyk_wrong').getApplication())).status).toBe(401);
    const error = await failure(migration().linkApps(V2.clientId, new Secret('not-the-secret')));
    expect([400, 401]).toContain(error.status);
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    sim.injectFaults({
      match: 'link',
      times: 1,
      kind: 'status',
      status: 429,
      errorType: 'nylas_rate_limit_exceeded',
      retryAfterSeconds: 1,
    });
    const linked = await migration().linkApps(V2.clientId, new Secret(V2.clientSecret));
    expect(linked.v2_application_id).toBe(V2.clientId);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(sim.counters().requests['POST /v3/migration-tools/link-v2v3-apps']).toBe(2);
  });

  it('retries a 5xx on an idempotent call', async () => {
    sim.injectFaults({ match: 'application', times: 2, kind: 'status', status: 503 });
    const application = await v3().getApplication();
    expect(application.application_id).toBe(V3.applicationId);
    expect(sim.counters().requests['GET /v3/applications']).toBe(3);
  });

  it('retries a timeout, then reports it when it persists', async () => {
    sim.injectFaults({ match: 'application', times: 1, kind: 'timeout' });
    expect((await v3().getApplication()).application_id).toBe(V3.applicationId);
    sim.injectFaults({ match: 'application', times: 3, kind: 'timeout' });
    const error = await failure(v3().getApplication());
    expect(error).toMatchObject({ kind: 'timeout', type: 'timeout', attempts: 3 });
  });

  it('hands an ambiguous clone failure back instead of cloning twice', async () => {
    await migration().linkApps(V2.clientId, new Secret(V2.clientSecret));
    await migration().importV2App();
    const account = sim.accounts(V2.clientId)[0];
    if (!account) throw new Error('no account');
    sim.injectFaults({ match: 'clone', accountId: account.id, times: 1, kind: 'timeout' });
    const error = await failure(migration().cloneAccount(account.id, flags));
    expect(error).toMatchObject({ kind: 'timeout', ambiguous: true, attempts: 1 });
    expect(sim.counters().cloneCalls[account.id]).toBe(1);
    // The clone happened before the hang: the lookup finds it.
    expect((await v3().listGrants({ accountId: account.id })).grants).toHaveLength(1);
  });

  it('sends auth exactly as the spec says', async () => {
    const seen: Record<string, string | null>[] = [];
    const recording = createHttpCore({
      baseUrl: sim.url,
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        seen.push({
          url: String(input),
          authorization: headers.get('authorization'),
          basicV2: headers.get('basicv2'),
        });
        return fetch(input, init);
      },
    });
    await createV2Client({
      http: recording,
      clientId: V2.clientId,
      clientSecret: new Secret(V2.clientSecret),
    }).getApplication();
    await createMigrationClient({ http: recording, apiKey: new Secret(V3.apiKey) }).linkApps(
      V2.clientId,
      new Secret(V2.clientSecret),
    );
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('v2-secret:').toString('base64')}`);
    expect(seen[1]?.authorization).toBe('Bearer nyk_v0_acme');
    expect(seen[1]?.basicV2).toBe(Buffer.from('v2-acme:v2-secret').toString('base64'));
  });

  it('looks grants up by many account ids, in batches', async () => {
    await migration().linkApps(V2.clientId, new Secret(V2.clientSecret));
    await migration().importV2App();
    const accounts = sim
      .accounts(V2.clientId)
      .filter((a) => a.provider === 'gmail' && a.sync_state === 'running' && a.billing_state === 'paid')
      .slice(0, 3);
    for (const account of accounts)
      await migration()
        .cloneAccount(account.id, flags)
        .catch(() => undefined);
    const ids = [
      ...sim
        .accounts(V2.clientId)
        .slice(0, 120)
        .map((a) => a.id),
      ...accounts.map((a) => a.id),
    ];
    const grants = await v3().grantsForAccounts(ids);
    expect(new Set(grants.map((g) => g.account_id))).toEqual(
      new Set(sim.grants(V3.applicationId).map((g) => g.account_id)),
    );
    expect(sim.counters().requests['GET /v3/grants']).toBe(3); // 123 ids → batches of 50
  });

  it('applies a PATCH and lists connectors', async () => {
    await migration().linkApps(V2.clientId, new Secret(V2.clientSecret));
    await migration().importV2App();
    const before = await v3().getApplication();
    await v3().updateApplication({
      branding: { ...before.branding, name: 'New title' },
      environment: 'staging',
    });
    const after = await v3().getApplication();
    expect(after.branding?.name).toBe('New title');
    expect(after.branding?.icon_url).toBe(before.branding?.icon_url);
    expect(after.environment).toBe('staging');
    const connectors = await v3().listConnectors();
    expect(connectors.map((c) => c.provider)).toContain('google');
  });
});
