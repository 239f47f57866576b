import { ACCOUNT_STATUSES, type AccountStatus } from './account.js';

/** The steps of a run, in order; each one is reported in the thread. */
export const MIGRATION_STEPS = [
  'preflight',
  'link',
  'import',
  'settings',
  'connectors',
  'listing',
  'cloning',
  'report',
  'summary',
] as const;
export type MigrationStep = (typeof MIGRATION_STEPS)[number];

export type StatusCounts = Record<AccountStatus, number>;

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(ACCOUNT_STATUSES.map((s) => [s, 0])) as StatusCounts;
}

/** A typed progress payload, enough to draw a progress bar. */
export interface ProgressPayload {
  step: MigrationStep;
  /** Accounts with an outcome. */
  done: number;
  /** Accounts listed so far (final once the listing step is over). */
  total: number;
  counts: StatusCounts;
  /** Clone requests per second over the run so far. */
  cloneRate?: number;
}

/**
 * Lets through at most one progress update per `intervalMs`, always the latest, and never drops the
 * final one: `flush()` sends whatever is pending. An update whose publish fails is handed to
 * `onDropped` (the next one carries the truth) and never stops the updates after it.
 */
export function createProgressThrottle(
  publish: (payload: ProgressPayload) => Promise<void> | void,
  intervalMs: number,
  onDropped: (error: unknown) => void,
  now: () => number = () => performance.now(),
) {
  let lastSent = Number.NEGATIVE_INFINITY;
  let pending: ProgressPayload | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const send = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const payload = pending;
    pending = undefined;
    if (!payload) return inFlight;
    lastSent = now();
    // Updates go out one after another, so an older one never lands after a newer one.
    inFlight = inFlight.then(() => publish(payload)).catch(onDropped);
    return inFlight;
  };

  return {
    update(payload: ProgressPayload): void {
      pending = payload;
      const wait = lastSent + intervalMs - now();
      if (wait <= 0) {
        void send();
      } else if (!timer) {
        timer = setTimeout(() => void send(), wait);
        timer.unref();
      }
    },
    /** Sends what is pending and resolves once every update handed out so far has been published. */
    flush: send,
    /** Drops what is pending and resolves once the update in flight (if any) is done. */
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      await inFlight;
    },
  };
}
