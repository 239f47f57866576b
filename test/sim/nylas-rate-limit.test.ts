/** Per-app sliding-window limits: 429 shape, Retry-After policy, exact window peaks, isolation. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { NylasSim } from '../../testkit/nylas-sim/index.js';
import { SlidingWindowLimiter, WindowPeak } from '../../testkit/nylas-sim/rate-limit.js';
import {
  clone,
  findAccount,
  type HttpResult,
  linkAndImport,
  startSim,
  V3_ID,
  V3_KEY,
  v3,
} from './nylas-helpers.js';

const TWO_APPS = {
  v3Apps: [
    { applicationId: V3_ID, apiKey: V3_KEY, region: 'us' as const },
    { applicationId: 'v3-other', apiKey: 'nyk_other', region: 'us' as const },
  ],
};

/** Links and imports (two migration-tools requests), then picks an account that clones to a valid grant. */
async function prepared(sim: NylasSim, key = V3_KEY): Promise<string> {
  await linkAndImport(sim, key);
  return findAccount(sim, (a) => sim.expectedOutcome('v2-acme', a.id, on).kind === 'valid_grant').id;
}
const on = { allowInvalidGrantCreation: true, cloneExchange: true };

function burst(sim: NylasSim, accountId: string, n: number, key = V3_KEY): Promise<HttpResult[]> {
  return Promise.all(Array.from({ length: n }, () => clone(sim, accountId, {}, key)));
}

function jobsBurst(sim: NylasSim, n: number, key = V3_KEY): Promise<HttpResult[]> {
  return Promise.all(Array.from({ length: n }, () => v3(sim, 'GET', '/v3/migration-tools/jobs', { key })));
}

describe('migration-tools rate limit', () => {
  it('60 clone calls at once: at most 20 accepted, the rest 429 nylas_rate_limit_exceeded, none cloned', async () => {
    const sim = await startSim(); // default: 20 per 1000 ms
    const accountId = await prepared(sim);
    await sleep(1000); // let the link + import requests leave the window
    sim.resetCounters();
    const results = await burst(sim, accountId, 60);
    const accepted = results.filter((r) => r.status !== 429);
    const limited = results.filter((r) => r.status === 429);
    expect(accepted.length).toBeLessThanOrEqual(20);
    expect(accepted.length).toBeGreaterThan(0);
    expect(limited.length).toBe(60 - accepted.length);
    for (const r of limited) {
      expect(r.json).toEqual({
        request_id: expect.any(String),
        error: { type: 'nylas_rate_limit_exceeded', message: 'Too many requests' },
      });
      expect(r.headers.get('x-request-id')).toBe(r.json.request_id);
    }
    const counters = sim.counters();
    expect(counters.rateLimited).toBe(limited.length);
    // A 429 never reaches the handler: only accepted calls count as clone calls and make grants.
    expect(counters.cloneCalls[accountId]).toBe(accepted.length);
    expect(sim.grants(V3_ID).length).toBe(accepted.filter((r) => r.status === 200).length);
    // The peak counts every arrival, 429s included.
    expect(counters.maxMigrationRequestsInAnyWindow[V3_ID]).toBeGreaterThan(20);
    expect(counters.requests['POST /v3/migration-tools/grants/:account_id/clone']).toBe(60);
  });

  it('the window slides: a second later the app is admitted again', async () => {
    const sim = await startSim({ migrationRateLimit: 5 });
    const first = await jobsBurst(sim, 8);
    expect(first.filter((r) => r.status === 200)).toHaveLength(5);
    await sleep(1050);
    const second = await jobsBurst(sim, 8);
    expect(second.filter((r) => r.status === 200)).toHaveLength(5);
  });

  it('limits are per v3 app: two apps do not share a window', async () => {
    const sim = await startSim({ ...TWO_APPS, migrationRateLimit: 10 });
    const [mine, theirs] = await Promise.all([jobsBurst(sim, 25), jobsBurst(sim, 25, 'nyk_other')]);
    expect(mine.filter((r) => r.status === 200)).toHaveLength(10);
    expect(theirs.filter((r) => r.status === 200)).toHaveLength(10);
    const peaks = sim.counters().maxMigrationRequestsInAnyWindow;
    expect(peaks[V3_ID]).toBe(25);
    expect(peaks['v3-other']).toBe(25);
  });

  it.each([
    ['always', 'all'],
    ['never', 'none'],
    ['alternate', 'some'],
  ] as const)('retryAfter %s: %s of the 429s carry Retry-After: 1', async (retryAfter, expected) => {
    const sim = await startSim({ migrationRateLimit: 2, retryAfter });
    const limited = (await jobsBurst(sim, 12)).filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(8);
    const withHeader = limited.filter((r) => r.headers.get('retry-after') === '1').length;
    const without = limited.filter((r) => r.headers.get('retry-after') === null).length;
    expect(withHeader + without).toBe(limited.length);
    if (expected === 'all') expect(without).toBe(0);
    if (expected === 'none') expect(withHeader).toBe(0);
    if (expected === 'some') {
      expect(withHeader).toBeGreaterThan(0);
      expect(without).toBeGreaterThan(0);
    }
  });

  it('auth comes first: a bad key is 401 and counts against no app', async () => {
    const sim = await startSim({ migrationRateLimit: 2 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => v3(sim, 'GET', '/v3/migration-tools/jobs', { key: 'nyk_bad' })),
    );
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(sim.counters().maxMigrationRequestsInAnyWindow[V3_ID]).toBe(0);
    expect((await v3(sim, 'GET', '/v3/migration-tools/jobs')).status).toBe(200);
  });
});

describe('other /v3 paths', () => {
  it('use v3RateLimit, separately from the migration-tools window', async () => {
    const sim = await startSim({ v3RateLimit: 5, migrationRateLimit: 5 });
    const grants = await Promise.all(Array.from({ length: 9 }, () => v3(sim, 'GET', '/v3/grants')));
    expect(grants.filter((r) => r.status === 200)).toHaveLength(5);
    expect(grants.filter((r) => r.status === 429)).toHaveLength(4);
    // The migration-tools window is untouched.
    expect((await v3(sim, 'GET', '/v3/migration-tools/jobs')).status).toBe(200);
    const counters = sim.counters();
    expect(counters.maxV3RequestsInAnyWindow[V3_ID]).toBe(9);
    expect(counters.maxMigrationRequestsInAnyWindow[V3_ID]).toBe(1);
  });
});

describe('window arithmetic (synthetic clock)', () => {
  it('the limiter admits at most `limit` accepted requests in any 1000 ms window', () => {
    const limiter = new SlidingWindowLimiter(3);
    const times = [0, 100, 200, 300, 999, 1000, 1099, 1100, 1199, 1200, 2199];
    const admitted = times.map((t) => limiter.tryAcquire(t));
    // A slot frees exactly 1000 ms after the accepted request that took it; rejected ones take none.
    expect(admitted).toEqual([true, true, true, false, false, true, false, true, false, true, true]);
  });

  it('the peak counts every arrival and is exact at window edges', () => {
    const peak = new WindowPeak();
    for (const t of [0, 10, 20, 999.9]) peak.record(t);
    expect(peak.peak).toBe(4);
    peak.record(1000); // 0 has left: 10, 20, 999.9, 1000
    expect(peak.peak).toBe(4);
    for (const t of [1001, 1002]) peak.record(t);
    expect(peak.peak).toBe(6); // 10, 20, 999.9, 1000, 1001, 1002
    peak.record(5000);
    expect(peak.peak).toBe(6);
    peak.resetPeak();
    expect(peak.peak).toBe(0);
  });
});
