import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRateBudget } from '../../src/coordination/rate-budget.js';

// Two connections stand for two processes (a bot and a worker, or two workers) sharing one Redis.
let first: Redis;
let second: Redis;
const prefix = `test:rate-budget-try:${randomUUID()}`;

beforeAll(() => {
  first = new Redis({ host: '127.0.0.1', port: 6379 });
  second = new Redis({ host: '127.0.0.1', port: 6379 });
});
afterEach(async () => {
  const keys = await first.keys(`${prefix}:*`);
  if (keys.length > 0) await first.del(...keys);
});
afterAll(async () => {
  await first.quit();
  await second.quit();
});

/** 2 slots a second: 500 ms apart, far longer than any of these tests' Redis round trips. */
const budgetsAt = (ratePerSecond = 2) =>
  [first, second].map((redis) => createRateBudget(redis, { keyPrefix: prefix, ratePerSecond }));

describe('the rate budget’s try-acquire, across two connections', () => {
  it('hands the free slot to exactly one of many tries made at once, per scope', async () => {
    const [a, b] = budgetsAt();
    if (!a || !b) throw new Error('two budgets expected');
    const tries = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).tryAcquire('T1:chat.update')),
    );
    expect(tries.filter(Boolean)).toHaveLength(1);
    // Another workspace has a budget of its own.
    expect(await b.tryAcquire('T2:chat.update')).toBe(true);
  });

  it('a refused try reserves nothing: whoever waits next gets the very next slot', async () => {
    const [a, b] = budgetsAt(10);
    if (!a || !b) throw new Error('two budgets expected');
    expect(await a.tryAcquire('scope')).toBe(true);
    const refused = await Promise.all(Array.from({ length: 20 }, () => b.tryAcquire('scope')));
    expect(refused.every((taken) => !taken)).toBe(true);
    // Had the 20 refusals reserved slots, this wait would be ~2 s (21 slots of 100 ms).
    const started = performance.now();
    await b.acquire('scope');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('a caller waiting for a slot keeps tries from the other connection off it', async () => {
    const [a, b] = budgetsAt();
    if (!a || !b) throw new Error('two budgets expected');
    expect(await a.tryAcquire('scope')).toBe(true);
    // The waiting caller reserves the next slot (500 ms on): a try in between must not take it.
    const waiting = a.acquire('scope');
    expect(await b.tryAcquire('scope')).toBe(false);
    await waiting;
    expect(await b.tryAcquire('scope')).toBe(false);
  });
});
