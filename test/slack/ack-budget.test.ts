import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACK_BUDGET_MS, ackGuard } from '../../src/slack/ack-budget.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A promise settled by the test, standing for a users.info or Redis answer. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ackGuard', () => {
  it('leaves the ack to the handler when the work answers within the budget', async () => {
    const acks: Array<string | undefined> = [];
    const guard = ackGuard<string>(async (response) => {
      acks.push(response);
    });
    const work = pending<number>();
    const settled = guard.settle(work.promise, 'working');
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS - 1);
    work.resolve(7);
    expect(await settled).toBe(7);
    expect(acks).toEqual([]);
    expect(await guard.ack('done')).toBe(true);
    expect(acks).toEqual(['done']);
  });

  it('acks with the "working" answer when the budget runs out, then still gives the outcome, once', async () => {
    const acks: Array<string | undefined> = [];
    const guard = ackGuard<string>(async (response) => {
      acks.push(response);
    });
    const work = pending<number>();
    const settled = guard.settle(work.promise, 'working');
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS);
    expect(acks).toEqual(['working']);
    work.resolve(7);
    expect(await settled).toBe(7);
    // The handler's own ack is refused: its answer must take another way (response_url, DM).
    expect(await guard.ack('done')).toBe(false);
    expect(acks).toEqual(['working']);
  });

  it('passes a failure on to the handler, in time or not', async () => {
    const guard = ackGuard<string>(async () => {});
    const work = pending<number>();
    const settled = guard.settle(work.promise, 'working');
    work.reject(new Error('Command timed out'));
    await expect(settled).rejects.toThrow('Command timed out');
    expect(guard.acked).toBe(false);
  });

  it('leaves out an extra that is not known by the deadline, without acking', async () => {
    const guard = ackGuard<string>(async () => {});
    const extra = pending<string[]>();
    const within = guard.within(extra.promise, []);
    await vi.advanceTimersByTimeAsync(ACK_BUDGET_MS);
    expect(await within).toEqual([]);
    expect(guard.acked).toBe(false);
  });
});
