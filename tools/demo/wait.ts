import { sleep } from '../../src/shared/sleep.js';

/** A failure the demo explains in one line (no stack trace). */
export class DemoFailure extends Error {}

/** Ctrl-C: the signal's reason, so waits end at once and the demo cleans up. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** Polls `probe` until it gives a value; a DemoFailure naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; signal: AbortSignal; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new DemoFailure(`gave up waiting for ${what} after ${Math.round(options.timeoutMs / 1000)} s`);
    await sleep(options.intervalMs ?? 50, options.signal);
  }
}
