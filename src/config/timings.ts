/**
 * Every timing the worker's safety rests on, in one place, with the invariants that tie them together.
 * A configuration that breaks one is refused at start (tests and benchmarks use shorter timings, checked
 * by the same rules).
 */
export interface WorkerTimings {
  /** Nylas HTTP timeout: after it, a request of ours can no longer create a grant (as far as we know). */
  httpTimeoutMs: number;
  /** The v2 app's lease: a successor takes over only after it expired. */
  leaseTtlMs: number;
  /** On shutdown, how long in-flight accounts may take before they are abandoned. */
  drainTimeoutMs: number;
  /** The process's hard exit after a stop signal (main.ts). */
  shutdownLimitMs: number;
}

export const PRODUCTION_TIMINGS: Readonly<WorkerTimings> = {
  httpTimeoutMs: 15_000,
  leaseTtlMs: 30_000,
  drainTimeoutMs: 20_000,
  shutdownLimitMs: 30_000,
};

/** The lease is renewed three times per lifetime, so one failed renewal still leaves room for the next. */
export const leaseRenewIntervalMs = (leaseTtlMs: number) => Math.floor(leaseTtlMs / 3);

/**
 * Run-level Redis commands time out well before the lease could lapse, so a command lost in a
 * disconnect fails the attempt instead of hanging it.
 */
export const runCommandTimeoutMs = (leaseTtlMs: number) => Math.max(5_000, Math.floor(leaseTtlMs / 2));

/** The invariants a set of timings breaks, as sentences (empty when all hold). */
export function timingViolations(t: WorkerTimings): string[] {
  const violations: string[] = [];
  const renew = leaseRenewIntervalMs(t.leaseTtlMs);
  // A request sent just after a renewal that then fails must end before the lease expires: otherwise a
  // successor could start while our clone is still in flight and clone the same account again.
  if (t.httpTimeoutMs >= t.leaseTtlMs - renew)
    violations.push(
      `the HTTP timeout (${t.httpTimeoutMs} ms) must be shorter than the lease TTL minus its renewal interval (${t.leaseTtlMs} − ${renew} ms)`,
    );
  // The drain must end before the hard exit, or a shutdown always ends as a crash.
  if (t.drainTimeoutMs >= t.shutdownLimitMs)
    violations.push(
      `the drain limit (${t.drainTimeoutMs} ms) must be shorter than the shutdown limit (${t.shutdownLimitMs} ms)`,
    );
  for (const [name, value] of Object.entries(t))
    if (!Number.isFinite(value) || value <= 0) violations.push(`${name} must be a positive number of ms`);
  return violations;
}

/** Throws on the first broken invariant (start-up refuses such a configuration). */
export function assertTimings(t: WorkerTimings): void {
  const [first] = timingViolations(t);
  if (first) throw new Error(`unsafe worker timings: ${first}`);
}
