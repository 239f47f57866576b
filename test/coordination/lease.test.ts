import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createLeaseManager,
  type FencedCommand,
  type Lease,
  LeaseLostError,
  type LeaseManager,
  LeaseUsageError,
} from '../../src/coordination/lease.js';

let redis: Redis;
let prefix: string;
let leases: LeaseManager;

beforeAll(() => {
  redis = new Redis({ host: '127.0.0.1', port: 6379 });
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(() => {
  prefix = `test:lease:${randomUUID()}`;
  leases = createLeaseManager(redis, { keyPrefix: prefix, ttlMs: 10_000 });
});
afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const leaseKey = (resource: string) => `${prefix}:lease:${resource}`;

/** Makes the lease expire now, as it would after its holder stalled past the TTL. */
async function expireNow(resource: string): Promise<void> {
  await redis.pexpire(leaseKey(resource), 1);
  await sleep(5);
}

/** Does `lease`'s token still hold its resource, as Redis says? */
async function holds(lease: Lease): Promise<boolean> {
  return (await leases.inspect(lease.resource))?.token === lease.token;
}

async function mustAcquire(manager: LeaseManager, resource: string, owner: string): Promise<Lease> {
  const lease = await manager.acquire(resource, owner);
  if (!lease) throw new Error(`expected ${owner} to get the lease on ${resource}`);
  return lease;
}

describe('acquire', () => {
  it('is exclusive while the lease lives, including against the same owner', async () => {
    const a = await mustAcquire(leases, 'v2-app', 'worker-a');
    expect(await leases.acquire('v2-app', 'worker-b')).toBeNull();
    expect(await leases.acquire('v2-app', 'worker-a')).toBeNull();
    expect(await holds(a)).toBe(true);
    expect(await leases.inspect('v2-app')).toMatchObject({ owner: 'worker-a', token: a.token });
    // Another resource is independent.
    expect(await leases.acquire('other-v2-app', 'worker-b')).not.toBeNull();

    await a.release();
    expect(await holds(a)).toBe(false);
    expect(a.remainingMs()).toBe(0);
    const b = await mustAcquire(leases, 'v2-app', 'worker-b');
    expect(b.token).toBeGreaterThan(a.token);
  });

  it('hands out strictly increasing tokens across takeovers, expired or released', async () => {
    const tokens: number[] = [];
    for (let i = 0; i < 6; i++) {
      const lease = await mustAcquire(leases, 'v2-app', `worker-${i}`);
      tokens.push(lease.token);
      if (i % 2 === 0) await expireNow('v2-app');
      else await lease.release();
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] ?? 0);
  });

  it('rejects options it cannot honour', () => {
    expect(() => createLeaseManager(redis, { keyPrefix: prefix, ttlMs: 0 })).toThrow(LeaseUsageError);
    expect(() => createLeaseManager(redis, { keyPrefix: '', ttlMs: 1000 })).toThrow(LeaseUsageError);
  });
});

describe('renew', () => {
  it('extends the lease', async () => {
    const a = await mustAcquire(leases, 'v2-app', 'worker-a');
    await redis.pexpire(leaseKey('v2-app'), 200); // as if most of the TTL had gone by
    expect(await a.renew()).toBe(true);
    expect(await redis.pttl(leaseKey('v2-app'))).toBeGreaterThan(9000);
    expect(a.remainingMs()).toBeGreaterThan(9000);
    expect(a.remainingMs()).toBeLessThanOrEqual(10_000);
  });

  it('keeps the lease alive past its TTL with auto-renew', async () => {
    const short = createLeaseManager(redis, { keyPrefix: prefix, ttlMs: 300 });
    const a = await mustAcquire(short, 'v2-app', 'worker-a');
    let lost = false;
    const stop = a.startAutoRenew(100, () => {
      lost = true;
    });
    await sleep(900);
    stop();
    expect(lost).toBe(false);
    expect(await holds(a)).toBe(true);
  });
});

describe('a zombie whose lease expired and was taken over', () => {
  async function zombieAndSuccessor() {
    const zombie = await mustAcquire(leases, 'v2-app', 'worker-a');
    await expireNow('v2-app');
    const successor = await mustAcquire(leases, 'v2-app', 'worker-b');
    return { zombie, successor };
  }

  it('cannot renew or release it', async () => {
    const { zombie, successor } = await zombieAndSuccessor();
    expect(await holds(zombie)).toBe(false);
    expect(await zombie.renew()).toBe(false);
    expect(zombie.remainingMs()).toBe(0);
    await zombie.release();
    expect(await holds(successor)).toBe(true);
    expect(await leases.inspect('v2-app')).toMatchObject({ owner: 'worker-b', token: successor.token });
  });

  it('cannot write: its fenced writes change nothing, the new owner’s land', async () => {
    const { zombie, successor } = await zombieAndSuccessor();
    const results = `${prefix}:results`;
    const counts = `${prefix}:counts`;
    const write = (status: string): FencedCommand[] => [
      ['HSET', results, 'account-1', status, 'account-2', status],
      ['SADD', counts, status],
      ['PEXPIRE', results, 60_000],
      ['DEL', `${prefix}:cursor`],
    ];
    await redis.set(`${prefix}:cursor`, 'page-2');

    expect(await leases.fencedExecOrThrow(successor, write('migrated'))).toEqual([2, 1, 1, 1]);
    await redis.set(`${prefix}:cursor`, 'page-3');
    const thrown = await leases.fencedExecOrThrow(zombie, write('failed')).catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(LeaseLostError);
    expect(thrown).toMatchObject({ code: 'lease_lost', resource: 'v2-app', token: zombie.token });

    expect(await redis.hgetall(results)).toEqual({ 'account-1': 'migrated', 'account-2': 'migrated' });
    expect(await redis.smembers(counts)).toEqual(['migrated']);
    expect(await redis.get(`${prefix}:cursor`)).toBe('page-3');
  });

  it('cannot write after its lease merely expired, with nobody else holding it', async () => {
    const zombie = await mustAcquire(leases, 'v2-app', 'worker-a');
    await expireNow('v2-app');
    await expect(
      leases.fencedExecOrThrow(zombie, [['HSET', `${prefix}:cursor`, 'page', 'stale']]),
    ).rejects.toBeInstanceOf(LeaseLostError);
    expect(await redis.exists(`${prefix}:cursor`)).toBe(0);
  });

  it('is told by auto-renew that the lease is gone', async () => {
    const zombie = await mustAcquire(leases, 'v2-app', 'worker-a');
    const lost = new Promise<LeaseLostError>((resolve) => zombie.startAutoRenew(50, resolve));
    await expireNow('v2-app');
    await mustAcquire(leases, 'v2-app', 'worker-b');
    const error = await lost;
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error.code).toBe('lease_lost');
    expect(zombie.remainingMs()).toBe(0);
  });
});

describe('fencedExec', () => {
  it('runs a batch in one go and returns each reply', async () => {
    const a = await mustAcquire(leases, 'v2-app', 'worker-a');
    const set = `${prefix}:done`;
    await redis.set(`${prefix}:n`, '5');
    const replies = await leases.fencedExecOrThrow(a, [
      ['SADD', set, 'x', 'y'],
      ['SADD', set, 'y'],
      ['HSET', `${prefix}:h`, 'f', 'v', 'g', 'w'],
      ['PEXPIRE', set, 60_000],
      ['DEL', `${prefix}:n`],
    ]);
    expect(replies).toEqual([2, 0, 2, 1, 1]);
    expect((await redis.smembers(set)).sort()).toEqual(['x', 'y']);
    expect(await redis.exists(`${prefix}:n`)).toBe(0);
    expect(await leases.fencedExecOrThrow(a, [])).toEqual([]);
  });

  it('refuses commands outside the set, malformed ones, and the lease’s own keys, writing nothing', async () => {
    const a = await mustAcquire(leases, 'v2-app', 'worker-a');
    const target = `${prefix}:h`;
    const bad: unknown[][] = [
      ['FLUSHALL', target],
      ['HSET', target, 'field-without-value'],
      // Commands production never sends are refused too: the set is what the run store needs.
      ['SET', target, 'x'],
      ['HINCRBY', target, 'f', 1],
      ['DEL', leaseKey('v2-app')],
      ['HSET', `${prefix}:lease-token:v2-app`, 'f', '0'],
      ['PEXPIRE', target, Number.NaN],
    ];
    for (const command of bad) {
      const batch = [['HSET', `${prefix}:first`, 'f', 'x'], command] as unknown as FencedCommand[];
      await expect(leases.fencedExecOrThrow(a, batch)).rejects.toMatchObject({ code: 'lease_invalid_usage' });
    }
    expect(await redis.exists(`${prefix}:first`, target)).toBe(0);
    expect(await holds(a)).toBe(true);
  });
});

describe('waitAcquire', () => {
  it('waits for the lease to expire, then takes it', async () => {
    const short = createLeaseManager(redis, { keyPrefix: prefix, ttlMs: 400 });
    const a = await mustAcquire(short, 'v2-app', 'worker-a');
    const started = performance.now();
    const ttlLeft = await redis.pttl(leaseKey('v2-app'));
    const b = await short.waitAcquire('v2-app', 'worker-b', { pollMs: 50, timeoutMs: 5000 });
    const waited = performance.now() - started;
    expect(b).not.toBeNull();
    expect(b?.token).toBeGreaterThan(a.token);
    // Not before the old lease had run out (Redis expires with millisecond precision).
    expect(waited).toBeGreaterThanOrEqual(ttlLeft - 2);
  });

  it('never steals a lease that is kept renewed, and takes it as soon as it is released', async () => {
    const short = createLeaseManager(redis, { keyPrefix: prefix, ttlMs: 300 });
    const a = await mustAcquire(short, 'v2-app', 'worker-a');
    const stop = a.startAutoRenew(100, () => {});
    expect(await short.waitAcquire('v2-app', 'worker-b', { pollMs: 25, timeoutMs: 1200 })).toBeNull();
    expect(await holds(a)).toBe(true);

    const waiting = short.waitAcquire('v2-app', 'worker-b', { pollMs: 25, timeoutMs: 5000 });
    await sleep(100);
    stop();
    const releasedAt = performance.now();
    await a.release();
    const b = await waiting;
    expect(b?.owner).toBe('worker-b');
    // Noticed by polling, well before the 300 ms TTL would have run out.
    expect(performance.now() - releasedAt).toBeLessThan(250);
  });

  it('rejects with the signal’s reason when aborted, and leaves the lease alone', async () => {
    const a = await mustAcquire(leases, 'v2-app', 'worker-a');
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 50);
    await expect(
      leases.waitAcquire('v2-app', 'worker-b', { signal: controller.signal, pollMs: 20 }),
    ).rejects.toBe(reason);
    expect(await leases.inspect('v2-app')).toMatchObject({ owner: 'worker-a', token: a.token });
  });
});
