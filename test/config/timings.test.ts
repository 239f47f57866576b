import { describe, expect, it } from 'vitest';
import {
  assertTimings,
  leaseRenewIntervalMs,
  PRODUCTION_TIMINGS,
  runCommandTimeoutMs,
  timingViolations,
} from '../../src/config/timings.js';
import { createMigrationWorker, type MigrationWorkerOptions } from '../../src/queue/migration-worker.js';
import { TEST_HTTP, TEST_WORKER } from '../helpers/worker-harness.js';

describe('worker timings', () => {
  it('production, test and benchmark timings keep every invariant', () => {
    expect(timingViolations(PRODUCTION_TIMINGS)).toEqual([]);
    expect(
      timingViolations({
        httpTimeoutMs: TEST_HTTP.timeoutMs,
        leaseTtlMs: TEST_WORKER.leaseTtlMs,
        drainTimeoutMs: TEST_WORKER.drainTimeoutMs,
        shutdownLimitMs: PRODUCTION_TIMINGS.shutdownLimitMs,
      }),
    ).toEqual([]);
  });

  it('refuses an HTTP timeout that could outlive a lease after one failed renewal', () => {
    // 30 s lease renewed every 10 s: a request must end within 20 s.
    const violations = timingViolations({ ...PRODUCTION_TIMINGS, httpTimeoutMs: 20_000 });
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/HTTP timeout \(20000 ms\).*lease TTL/);
    expect(timingViolations({ ...PRODUCTION_TIMINGS, httpTimeoutMs: 19_999 })).toEqual([]);
  });

  it('refuses a drain that the hard exit would cut short', () => {
    expect(timingViolations({ ...PRODUCTION_TIMINGS, drainTimeoutMs: 30_000 })[0]).toMatch(/drain limit/);
  });

  it('refuses zero, negative and non-finite values', () => {
    expect(timingViolations({ ...PRODUCTION_TIMINGS, leaseTtlMs: Number.NaN }).join(' ')).toMatch(
      /leaseTtlMs must be a positive/,
    );
    expect(timingViolations({ ...PRODUCTION_TIMINGS, drainTimeoutMs: 0 }).join(' ')).toMatch(
      /drainTimeoutMs must be a positive/,
    );
  });

  it('assertTimings throws with the broken rule', () => {
    expect(() => assertTimings({ ...PRODUCTION_TIMINGS, httpTimeoutMs: 25_000 })).toThrow(
      /unsafe worker timings: the HTTP timeout/,
    );
  });

  it('derives renewal and command timeouts from the lease', () => {
    expect(leaseRenewIntervalMs(30_000)).toBe(10_000);
    expect(runCommandTimeoutMs(30_000)).toBe(15_000);
    expect(runCommandTimeoutMs(2_500)).toBe(5_000);
  });

  it('a worker with unsafe timings refuses to start, before it touches Redis', () => {
    // Only the timings matter: the check runs before any connection is made.
    const unsafe = { httpTimeoutMs: 2_000, leaseTtlMs: 2_500 } as MigrationWorkerOptions;
    expect(() => createMigrationWorker(unsafe)).toThrow(
      /unsafe worker timings: the HTTP timeout \(2000 ms\)/,
    );
  });
});
