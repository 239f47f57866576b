/** Injected and random faults, latency, and close() ending hanging connections. */
import { describe, expect, it, vi } from 'vitest';
import type { NylasSim } from '../../testkit/nylas-sim/index.js';
import { clone, findAccount, linkAndImport, startSim, V2_ID, V3_ID, v2Get, v3 } from './nylas-helpers.js';

const ON = { allowInvalidGrantCreation: true, cloneExchange: true };

function validAccount(sim: NylasSim): string {
  return findAccount(sim, (a) => sim.expectedOutcome(V2_ID, a.id, ON).kind === 'valid_grant').id;
}

describe('injected faults', () => {
  it('a 503 once on one account, then success; the 503 creates no grant', async () => {
    const sim = await startSim();
    await linkAndImport(sim);
    const accountId = validAccount(sim);
    const bystander = findAccount(
      sim,
      (a) => a.id !== accountId && sim.expectedOutcome(V2_ID, a.id, ON).kind === 'valid_grant',
    ).id;
    sim.injectFaults({ match: 'clone', accountId, times: 1, kind: 'status', status: 503 });

    expect((await clone(sim, bystander)).status).toBe(200); // another account does not consume it
    const failed = await clone(sim, accountId);
    expect(failed.status).toBe(503);
    expect(failed.json).toEqual({
      request_id: failed.headers.get('x-request-id'),
      error: { type: 'service_unavailable', message: 'Service Unavailable' },
    });
    expect(sim.grants(V3_ID).filter((g) => g.account_id === accountId)).toHaveLength(0);

    const retried = await clone(sim, accountId);
    expect(retried.status).toBe(200);
    expect(sim.grants(V3_ID).filter((g) => g.account_id === accountId)).toHaveLength(1);
    expect(sim.counters().cloneCalls[accountId]).toBe(2);
  });

  it('status faults carry the given type, message and Retry-After, `times` times', async () => {
    const sim = await startSim();
    sim.injectFaults({
      match: 'grants',
      times: 2,
      kind: 'status',
      status: 429,
      errorType: 'rate_limit_error',
      message: 'provider throttled',
      retryAfterSeconds: 3,
    });
    for (let i = 0; i < 2; i++) {
      const limited = await v3(sim, 'GET', '/v3/grants');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
      expect(limited.json.error).toEqual({ type: 'rate_limit_error', message: 'provider throttled' });
    }
    expect((await v3(sim, 'GET', '/v3/grants')).status).toBe(200);
    expect(sim.counters().rateLimited).toBe(2);
  });

  it('v2 faults answer in v2 shape; a 429 says when to come back in X-RateLimit-Reset, in seconds from now', async () => {
    const sim = await startSim();
    sim.injectFaults({ match: 'v2-accounts', times: 1, kind: 'status', status: 429, retryAfterSeconds: 2 });
    sim.injectFaults({ match: 'v2-app', times: 1, kind: 'status', status: 500 });
    const limited = await v2Get(sim, `/a/${V2_ID}/accounts`);
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ message: expect.any(String), type: expect.any(String) });
    expect(limited.headers.get('x-ratelimit-limit')).toBe('500');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('2');
    expect(limited.headers.get('retry-after')).toBeNull();
    const broken = await v2Get(sim, `/a/${V2_ID}`);
    expect(broken.status).toBe(500);
    expect(broken.json).toEqual({ message: expect.any(String), type: 'api_error' });
    expect((await v2Get(sim, `/a/${V2_ID}/accounts`)).status).toBe(200);
  });

  it("'any' matches whatever route comes next, after auth (a 401 does not consume it)", async () => {
    const sim = await startSim();
    sim.injectFaults({ match: 'any', times: 1, kind: 'status', status: 502 });
    expect((await v3(sim, 'GET', '/v3/applications', { key: 'nyk_bad' })).status).toBe(401);
    expect((await v3(sim, 'GET', '/v3/applications')).status).toBe(502);
    expect((await v3(sim, 'GET', '/v3/applications')).status).toBe(200);
  });

  it('a timeout on a clone creates the grant, then hangs and answers 504', async () => {
    const sim = await startSim({ timeoutHangMs: 300 });
    await linkAndImport(sim);
    const accountId = validAccount(sim);
    sim.injectFaults({ match: 'clone', accountId, times: 1, kind: 'timeout' });
    const started = performance.now();
    const result = await clone(sim, accountId);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(result.status).toBe(504);
    // The spec's 504 example body.
    expect(result.json.error).toEqual({ type: 'provider_error', message: 'Provider request timed out.' });
    // The client saw a failure, yet the clone happened: the worst case a client must survive.
    expect(sim.grants(V3_ID).map((g) => g.account_id)).toEqual([accountId]);
    expect(sim.counters().grantsCreated).toBe(1);
    const lookup = await v3(sim, 'GET', `/v3/grants?account_id=${accountId}`);
    expect(lookup.json.data).toHaveLength(1);
  });

  it('close() ends a hanging request promptly', async () => {
    const sim = await startSim({ timeoutHangMs: 30_000 });
    await linkAndImport(sim);
    const accountId = validAccount(sim);
    sim.injectFaults({ match: 'clone', accountId, times: 1, kind: 'timeout' });
    const pending = clone(sim, accountId).then(
      () => 'answered',
      () => 'connection ended',
    );
    await vi.waitFor(() => expect(sim.grants(V3_ID)).toHaveLength(1), { timeout: 2000, interval: 10 });
    const closing = performance.now();
    await sim.close();
    expect(await pending).toBe('connection ended');
    expect(performance.now() - closing).toBeLessThan(1000);
  });
});

describe('random faults and latency', () => {
  it('transient5xxRate 1, actedShare 0: every clone fails with a 5xx and nothing is cloned; other routes are spared', async () => {
    const sim = await startSim({ faults: { transient5xxRate: 1, actedShare: 0 } });
    await linkAndImport(sim);
    const accountId = validAccount(sim);
    for (let i = 0; i < 5; i++) {
      const result = await clone(sim, accountId);
      expect([500, 502, 503]).toContain(result.status);
      expect(result.json.error.type).toEqual(expect.any(String));
    }
    expect(sim.grants(V3_ID)).toHaveLength(0);
    expect((await v3(sim, 'GET', '/v3/grants')).status).toBe(200);
  });

  it('timeoutRate 1: every clone times out after creating its grant', async () => {
    const sim = await startSim({ faults: { timeoutRate: 1 }, timeoutHangMs: 20 });
    await linkAndImport(sim);
    const accountId = validAccount(sim);
    expect((await clone(sim, accountId)).status).toBe(504);
    expect((await clone(sim, accountId)).status).toBe(504);
    expect(sim.counters().duplicateGrants).toBe(1);
  });

  it('the same fault seed gives the same sequence', async () => {
    const statuses = async (): Promise<number[]> => {
      const sim = await startSim({ faults: { transient5xxRate: 0.4, seed: 11 } });
      await linkAndImport(sim);
      const accountId = validAccount(sim);
      const seen: number[] = [];
      for (let i = 0; i < 15; i++) seen.push((await clone(sim, accountId)).status);
      await sim.close();
      return seen;
    };
    const first = await statuses();
    expect(first).toEqual(await statuses());
    expect(first.some((s) => s === 200)).toBe(true);
    expect(first.some((s) => s >= 500)).toBe(true);
  });

  it('latencyMs delays every answer', async () => {
    const sim = await startSim({ latencyMs: { min: 60, max: 80 } });
    const started = performance.now();
    await v3(sim, 'GET', '/v3/applications', { key: 'nyk_bad' }); // even a 401
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});
