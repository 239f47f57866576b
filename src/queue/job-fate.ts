/**
 * What becomes of a migration job whose run threw: one pure decision, so every path is tested in a table
 * (test/queue/job-fate.test.ts) and the worker only carries it out.
 */
export type JobFate =
  /** Back to the queue without using an attempt; release the lease only when nothing is in flight. */
  | { kind: 'hand_back'; delayMs: number; releaseLease: boolean }
  /** Another worker holds the run now: fail this attempt (a redelivery later finds the run done). */
  | { kind: 'yield_to_holder'; releaseLease: false }
  /** No attempt is left (or retrying cannot help): end the run in the open, then fail the job. */
  | { kind: 'abandon'; releaseLease: boolean }
  /** An unexpected failure with attempts left: fail this attempt; BullMQ retries with backoff. */
  | { kind: 'retry'; releaseLease: boolean };

export interface JobFailure {
  /** The run stopped between accounts for a shutdown: no request of ours is in flight. */
  interruptedCleanly: boolean;
  /** The worker is shutting down (SIGTERM, deploy). */
  draining: boolean;
  /** The run lost its lease: `holder` says whether another worker has taken it since. */
  leaseLost: { holder: boolean } | undefined;
  /** Retrying cannot help (bad job data, no record). */
  unrecoverable: boolean;
  attemptsMade: number;
  maxAttempts: number;
  leaseTtlMs: number;
}

/** A cleanly stopped run can be resumed by the next worker almost at once. */
export const QUICK_HAND_BACK_MS = 1_000;

export function decideJobFate(failure: JobFailure): JobFate {
  // Requests may still land at Nylas unless the run stopped between accounts: then keep the lease until
  // it expires, so whoever resumes the run starts only when none of ours can create a grant any more.
  const releaseLease = failure.interruptedCleanly;
  if (failure.draining) {
    // A deploy is not the migration's fault: no attempt is used.
    return {
      kind: 'hand_back',
      delayMs: releaseLease ? QUICK_HAND_BACK_MS : failure.leaseTtlMs,
      releaseLease,
    };
  }
  if (failure.leaseLost) {
    // Lost without a successor (a long Redis outage): come back once it has expired, for free.
    return failure.leaseLost.holder
      ? { kind: 'yield_to_holder', releaseLease: false }
      : { kind: 'hand_back', delayMs: failure.leaseTtlMs, releaseLease: false };
  }
  if (failure.unrecoverable || failure.attemptsMade + 1 >= failure.maxAttempts)
    return { kind: 'abandon', releaseLease };
  return { kind: 'retry', releaseLease };
}
