import { describe, expect, it } from 'vitest';
import { decideJobFate, type JobFailure, QUICK_HAND_BACK_MS } from '../../src/queue/job-fate.js';

const TTL = 30_000;
const base: JobFailure = {
  interruptedCleanly: false,
  draining: false,
  leaseLost: undefined,
  unrecoverable: false,
  attemptsMade: 0,
  maxAttempts: 3,
  leaseTtlMs: TTL,
};

// Each row: what happened to the attempt, and what must become of the job and the lease.
const table: Array<[string, Partial<JobFailure>, ReturnType<typeof decideJobFate>]> = [
  [
    'a deploy stops the run between accounts: back soon, lease released',
    { draining: true, interruptedCleanly: true },
    { kind: 'hand_back', delayMs: QUICK_HAND_BACK_MS, releaseLease: true },
  ],
  [
    'a deploy aborts requests in flight: back after the lease expired, lease kept',
    { draining: true },
    { kind: 'hand_back', delayMs: TTL, releaseLease: false },
  ],
  [
    'a deploy on the last attempt still uses no attempt',
    { draining: true, attemptsMade: 2 },
    { kind: 'hand_back', delayMs: TTL, releaseLease: false },
  ],
  [
    'the lease lapsed and nobody holds it (Redis outage): back once it expired',
    { leaseLost: { holder: false } },
    { kind: 'hand_back', delayMs: TTL, releaseLease: false },
  ],
  [
    'the lease lapsed and another worker holds it: yield',
    { leaseLost: { holder: true } },
    { kind: 'yield_to_holder', releaseLease: false },
  ],
  [
    'a lost lease on the last attempt is not an abandonment',
    { leaseLost: { holder: true }, attemptsMade: 2 },
    { kind: 'yield_to_holder', releaseLease: false },
  ],
  ['an unexpected error with attempts left: retry', {}, { kind: 'retry', releaseLease: false }],
  [
    'an unexpected error on the last attempt: abandon in the open',
    { attemptsMade: 2 },
    { kind: 'abandon', releaseLease: false },
  ],
  ['bad job data: abandon at once', { unrecoverable: true }, { kind: 'abandon', releaseLease: false }],
  [
    'a clean stop that is not a deploy (cancel) on the last attempt releases the lease',
    { interruptedCleanly: true, attemptsMade: 2 },
    { kind: 'abandon', releaseLease: true },
  ],
  [
    'a single-attempt job abandons on its first failure',
    { maxAttempts: 1 },
    { kind: 'abandon', releaseLease: false },
  ],
];

describe('decideJobFate', () => {
  it.each(table)('%s', (_name, failure, expected) => {
    expect(decideJobFate({ ...base, ...failure })).toEqual(expected);
  });

  it('never releases the lease while requests may be in flight', () => {
    for (const draining of [false, true])
      for (const holder of [undefined, false, true])
        for (const unrecoverable of [false, true])
          for (const attemptsMade of [0, 1, 2]) {
            const fate = decideJobFate({
              ...base,
              draining,
              unrecoverable,
              attemptsMade,
              leaseLost: holder === undefined ? undefined : { holder },
            });
            expect(fate.releaseLease).toBe(false);
          }
  });
});
