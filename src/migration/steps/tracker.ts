import type { AccountResult } from '../account.js';
import {
  createProgressThrottle,
  type MigrationStep,
  type ProgressPayload,
  type StatusCounts,
} from '../progress.js';

/** Live counters of a run, fed with every recorded outcome, publishing throttled progress. */
export function createRunTracker(options: {
  counts: StatusCounts;
  total: number;
  intervalMs: number;
  publish: (progress: ProgressPayload) => Promise<void> | void;
  onDropped: (error: unknown) => void;
  cloneCallsBefore: number;
  cloneElapsedMsBefore: number;
}) {
  const counts = { ...options.counts };
  let total = options.total;
  let step: MigrationStep = 'cloning';
  let cloneCalls = options.cloneCallsBefore;
  let cloneStartedAt: number | undefined;
  const throttle = createProgressThrottle(options.publish, options.intervalMs, options.onDropped);

  const cloneElapsedMs = () =>
    options.cloneElapsedMsBefore + (cloneStartedAt === undefined ? 0 : performance.now() - cloneStartedAt);
  const cloneRate = () => {
    const seconds = cloneElapsedMs() / 1000;
    return seconds > 0 ? Math.round((cloneCalls / seconds) * 100) / 100 : 0;
  };
  const snapshot = (): ProgressPayload => ({
    step,
    done: Object.values(counts).reduce((a, b) => a + b, 0),
    total,
    counts: { ...counts },
    cloneRate: cloneRate(),
  });

  return {
    startCloning() {
      cloneStartedAt = performance.now();
    },
    setStep(next: MigrationStep, nextTotal = total) {
      step = next;
      total = nextTotal;
      throttle.update(snapshot());
    },
    recorded(results: readonly AccountResult[]) {
      for (const result of results) counts[result.status]++;
      throttle.update(snapshot());
    },
    cloneCall() {
      cloneCalls++;
    },
    snapshot,
    cloneCalls: () => cloneCalls,
    cloneElapsedMs,
    cloneRate,
    flush: () => throttle.flush(),
    stop: () => throttle.stop(),
  };
}

export type RunTracker = ReturnType<typeof createRunTracker>;
