import { sleep } from '../shared/sleep.js';
import type { RedisConnection } from './redis-connections.js';
import { type RedisScript, redisScript, runScript } from './redis-script.js';

/**
 * A lease per v2 app, with a fencing token, so that one migration runs in one place at a time even when
 * BullMQ hands the same job to two workers (a blocked event loop lets the stall checker re-deliver it
 * while the first worker still runs, and BullMQ's own `updateData`/`updateProgress` don't check locks).
 *
 * - The lease is a Redis hash `{ token, owner }` with a TTL. Tokens come from `INCR` on a per-resource
 *   counter that never expires, so every holder of a resource gets a larger token than the one before.
 * - Taking over waits for the old lease to EXPIRE (never steals a live one). With a TTL longer than the
 *   HTTP timeout, and callers that send only while `remainingMs()` exceeds that timeout, no request of
 *   the old holder can still be in flight when the new one starts.
 * - Every write of results or progress goes through {@link LeaseManager.fencedExecOrThrow}, which checks the
 *   token and writes in one Lua script: a zombie that lost its lease writes nothing.
 */

export type LeaseErrorCode = 'lease_lost' | 'lease_invalid_usage';

/** The lease is no longer held by this token: stop work, write nothing, let the new holder finish. */
export class LeaseLostError extends Error {
  readonly code = 'lease_lost' as const;
  readonly resource: string;
  readonly token: number;

  constructor(resource: string, token: number, options?: { cause?: unknown }) {
    super(`the lease on ${resource} (token ${token}) is no longer held`, options);
    this.name = 'LeaseLostError';
    this.resource = resource;
    this.token = token;
  }
}

/** A programming error: bad options, or a fenced command outside the allowed set or of the wrong shape. */
export class LeaseUsageError extends Error {
  readonly code = 'lease_invalid_usage' as const;

  constructor(message: string) {
    super(message);
    this.name = 'LeaseUsageError';
  }
}

/** The writes a fenced batch may contain; each applies to one key, given right after the name. */
export type FencedCommandName = 'HSET' | 'SADD' | 'PEXPIRE' | 'DEL';

/** `[name, key, ...args]`, e.g. `['HSET', resultsKey, accountId, json]` or `['DEL', cursorKey]`. */
export type FencedCommand = readonly [FencedCommandName, string, ...(string | number)[]];

/** What the commands above answer: integers, `OK`, bulk strings, or null. */
export type FencedReply = string | number | null;

/** Allowed argument counts after the key, so a malformed batch fails before anything is written. */
const ARITY: Record<FencedCommandName, { min: number; max: number; even?: boolean }> = {
  HSET: { min: 2, max: Number.POSITIVE_INFINITY, even: true },
  SADD: { min: 1, max: Number.POSITIVE_INFINITY },
  PEXPIRE: { min: 1, max: 2 }, // ms [NX|XX|GT|LT]
  DEL: { min: 0, max: 0 },
};

export interface Lease {
  readonly resource: string;
  /** The fencing token: larger for every later holder of the same resource. */
  readonly token: number;
  /** Who holds it (for diagnostics only: safety rests on the token, owners need not be unique). */
  readonly owner: string;
  /** Extends the TTL if this token still holds the lease; false (and lost for good) otherwise. */
  renew(): Promise<boolean>;
  /** Gives the lease up if this token still holds it; a no-op otherwise. Stops auto-renewal. */
  release(): Promise<void>;
  /**
   * How long the lease is still certainly held, by this process's monotonic clock, counted from the
   * moment the last successful acquire/renew was SENT (so it never overestimates). No Redis call.
   * Check it is above the HTTP timeout before sending a request that must not overlap with a successor's.
   * 0 once released, found lost, or expired.
   */
  remainingMs(): number;
  /**
   * Renews every `intervalMs` (must be less than the TTL) until stopped or released. Calls `onLost`
   * once, and stops, when a renewal finds the lease gone — or when renewals keep failing (Redis
   * unreachable) until the lease may have expired; the error's `cause` is then the last failure.
   * Returns a function that stops it. Starting again replaces the previous auto-renewal.
   */
  startAutoRenew(intervalMs: number, onLost: (error: LeaseLostError) => void): () => void;
}

export interface WaitAcquireOptions {
  /** Rejects with `signal.reason` when it aborts. */
  signal?: AbortSignal;
  /** The longest pause between two attempts (default 250 ms); shorter when the lease expires sooner. */
  pollMs?: number;
  /** Gives up and resolves null after this long (default: wait for ever). */
  timeoutMs?: number;
}

export interface LeaseHolder {
  owner: string;
  token: number;
  ttlMs: number;
}

export interface LeaseManager {
  /** Takes the lease on `resource` if nobody holds it; null if a live lease exists (even `owner`'s). */
  acquire(resource: string, owner: string): Promise<Lease | null>;
  /**
   * Takes the lease as soon as the current one expires or is released — never before: a live lease,
   * renewed in time, keeps the waiter out for ever. Resolves null after `timeoutMs`.
   */
  waitAcquire(resource: string, owner: string, options?: WaitAcquireOptions): Promise<Lease | null>;
  /** Who holds `resource` now, or null. */
  inspect(resource: string): Promise<LeaseHolder | null>;
  /**
   * Runs `commands` in order, atomically, only if `lease` (from this manager) still holds its token —
   * one round trip for the whole batch. Returns each command's reply, or throws {@link LeaseLostError}
   * (having written nothing) if the lease was lost. Throws `LeaseUsageError` for a command outside
   * {@link FencedCommandName} or with the wrong number of arguments, before anything is sent.
   * All keys must live on one Redis node (for Cluster: one hash tag in the key prefix). Like any Lua
   * script, a failing command (e.g. WRONGTYPE) stops the batch without undoing earlier writes. Keep
   * each command under ~7,000 arguments (Lua's `unpack` limit); split bigger writes into commands.
   */
  fencedExecOrThrow(lease: Lease, commands: readonly FencedCommand[]): Promise<FencedReply[]>;
}

export interface LeaseManagerOptions {
  /** Prefix of the keys: `${keyPrefix}:lease:${resource}` and its token counter. */
  keyPrefix: string;
  /** Lease lifetime without renewal; keep it above the HTTP timeout plus the renewal interval. */
  ttlMs: number;
}

/** The Redis commands the leases use; a full `Redis` connection fits. */
export type LeaseRedis = Pick<RedisConnection, 'evalsha' | 'eval'>;

/** KEYS[1] lease, KEYS[2] token counter; ARGV[1] owner, ARGV[2] ttl ms → {1, token} | {0, pttl}. */
const ACQUIRE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('PTTL', KEYS[1])}
end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'token', token, 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, token}
`;

/** KEYS[1] lease; ARGV[1] token, ARGV[2] ttl ms → 1 if renewed. */
const RENEW_LUA = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS[1] lease; ARGV[1] token → 1 if released. */
const RELEASE_LUA = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/** KEYS[1] lease → {token, owner, pttl} | false. */
const INSPECT_LUA = `
local fields = redis.call('HMGET', KEYS[1], 'token', 'owner')
if not fields[1] then return false end
return {fields[1], fields[2] or '', redis.call('PTTL', KEYS[1])}
`;

/**
 * KEYS[1] lease, KEYS[1 + i] the key of command i. ARGV[1] token, then per command: name, argument
 * count, arguments. Returns the replies, or false when the token no longer holds the lease. Names are
 * checked again here so that no other code path can smuggle in an arbitrary command.
 */
const FENCED_EXEC_LUA = `
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return false end
local allowed = {HSET=1, SADD=1, PEXPIRE=1, DEL=1}
local a = 2
for i = 2, #KEYS do
  if not allowed[ARGV[a]] then return redis.error_reply('fenced command not allowed: ' .. tostring(ARGV[a])) end
  a = a + 2 + tonumber(ARGV[a + 1])
end
local replies = {}
a = 2
for i = 2, #KEYS do
  local n = tonumber(ARGV[a + 1])
  local call = {ARGV[a], KEYS[i]}
  for j = 1, n do call[j + 2] = ARGV[a + 1 + j] end
  a = a + 2 + n
  replies[i - 1] = redis.call(unpack(call))
end
return replies
`;

const SCRIPTS = {
  acquire: redisScript(ACQUIRE_LUA),
  renew: redisScript(RENEW_LUA),
  release: redisScript(RELEASE_LUA),
  inspect: redisScript(INSPECT_LUA),
  fencedExec: redisScript(FENCED_EXEC_LUA),
};

const DEFAULT_POLL_MS = 250;

/**
 * Creates leases on `redis`. Each lease lives `ttlMs` unless renewed; see the module comment for the
 * guarantees and {@link Lease} / {@link LeaseManager} for each operation's contract.
 */
export function createLeaseManager(redis: LeaseRedis, opts: LeaseManagerOptions): LeaseManager {
  if (!opts.keyPrefix) throw new LeaseUsageError('keyPrefix must not be empty');
  if (!Number.isInteger(opts.ttlMs) || opts.ttlMs <= 0) {
    throw new LeaseUsageError(`ttlMs must be a positive integer, got ${opts.ttlMs}`);
  }
  const { ttlMs } = opts;
  const leaseKey = (resource: string) => `${opts.keyPrefix}:lease:${resource}`;
  const tokenKey = (resource: string) => `${opts.keyPrefix}:lease-token:${resource}`;

  const run = (s: RedisScript, keys: readonly string[], args: readonly (string | number)[]) =>
    runScript(redis, s, keys, args);

  function makeLease(resource: string, owner: string, token: number, sentAt: number): Lease {
    const key = leaseKey(resource);
    // Redis starts the TTL when it runs the script, which is after we sent it: counting from the send
    // can only underestimate what is left.
    let heldUntil = sentAt + ttlMs;
    // Once released or found lost, the lease never comes back, whatever a late reply says.
    let gone = false;
    let stopAutoRenew: (() => void) | undefined;

    const lease: Lease = {
      resource,
      token,
      owner,
      async renew() {
        const sent = performance.now();
        const renewed = !gone && (await run(SCRIPTS.renew, [key], [token, ttlMs])) === 1;
        if (!renewed || gone) {
          gone = true;
          heldUntil = 0;
          return false;
        }
        heldUntil = sent + ttlMs;
        return true;
      },
      async release() {
        stopAutoRenew?.();
        gone = true;
        heldUntil = 0;
        await run(SCRIPTS.release, [key], [token]);
      },
      remainingMs() {
        return Math.max(0, heldUntil - performance.now());
      },
      startAutoRenew(intervalMs, onLost) {
        if (!(intervalMs > 0 && intervalMs < ttlMs)) {
          throw new LeaseUsageError(`auto-renew interval must be in (0, ${ttlMs}) ms, got ${intervalMs}`);
        }
        stopAutoRenew?.();
        let stopped = false;
        let timer: NodeJS.Timeout | undefined;
        const stop = () => {
          stopped = true;
          clearTimeout(timer);
        };
        const schedule = () => {
          timer = setTimeout(tick, intervalMs);
          // A forgotten renewal must not keep a finished worker process alive.
          timer.unref();
        };
        const tick = async () => {
          let lost: LeaseLostError | undefined;
          try {
            if (!(await lease.renew())) lost = new LeaseLostError(resource, token);
          } catch (err) {
            // Redis unreachable: keep trying while the lease may still be ours, then report the loss.
            if (lease.remainingMs() <= 0) lost = new LeaseLostError(resource, token, { cause: err });
          }
          if (stopped) return;
          if (lost) {
            stop();
            onLost(lost);
            return;
          }
          schedule();
        };
        schedule();
        stopAutoRenew = stop;
        return stop;
      },
    };
    return lease;
  }

  async function tryAcquire(
    resource: string,
    owner: string,
  ): Promise<{ lease: Lease; pttlMs?: never } | { lease?: never; pttlMs: number }> {
    if (!resource) throw new LeaseUsageError('resource must not be empty');
    const sentAt = performance.now();
    const reply = await run(SCRIPTS.acquire, [leaseKey(resource), tokenKey(resource)], [owner, ttlMs]);
    if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
      throw new TypeError(`lease acquire script returned ${JSON.stringify(reply)}`);
    }
    const [took, value] = reply as [number, number];
    return took === 1 ? { lease: makeLease(resource, owner, value, sentAt) } : { pttlMs: value };
  }

  async function fencedExec(lease: Lease, commands: readonly FencedCommand[]) {
    const lKey = leaseKey(lease.resource);
    const keys = [lKey];
    const args: (string | number)[] = [lease.token];
    for (const command of commands) {
      const [name, key, ...rest] = command;
      const arity = Object.hasOwn(ARITY, name) ? ARITY[name] : undefined;
      if (!arity) throw new LeaseUsageError(`fenced command not allowed: ${String(name)}`);
      if (rest.length < arity.min || rest.length > arity.max || (arity.even && rest.length % 2 !== 0)) {
        throw new LeaseUsageError(`fenced ${name} given ${rest.length} arguments after the key`);
      }
      if (!key || key === lKey || key === tokenKey(lease.resource)) {
        throw new LeaseUsageError(`fenced ${name} may not target ${JSON.stringify(key)}`);
      }
      for (const arg of rest) {
        if (typeof arg === 'number' && !Number.isFinite(arg)) {
          throw new LeaseUsageError(`fenced ${name} given a non-finite number`);
        }
      }
      keys.push(key);
      args.push(name, rest.length, ...rest);
    }
    const reply = await run(SCRIPTS.fencedExec, keys, args);
    if (reply === null) return false as const;
    if (!Array.isArray(reply) || !reply.every(isFencedReply)) {
      throw new TypeError(`fenced exec script returned ${JSON.stringify(reply)}`);
    }
    return reply;
  }

  return {
    async acquire(resource, owner) {
      return (await tryAcquire(resource, owner)).lease ?? null;
    },

    async waitAcquire(resource, owner, { signal, pollMs = DEFAULT_POLL_MS, timeoutMs } = {}) {
      if (!(pollMs > 0)) throw new LeaseUsageError(`pollMs must be positive, got ${pollMs}`);
      const deadline = performance.now() + (timeoutMs ?? Number.POSITIVE_INFINITY);
      for (;;) {
        signal?.throwIfAborted();
        // Not raced against the signal: an acquire that lands after an abort must be released, not
        // leaked until its TTL runs out.
        const attempt = await tryAcquire(resource, owner);
        if (attempt.lease) {
          if (signal?.aborted) {
            await attempt.lease.release();
            throw signal.reason;
          }
          return attempt.lease;
        }
        const left = deadline - performance.now();
        if (left <= 0) return null;
        // Wake when the lease is due to expire (a negative PTTL means it just vanished), or sooner to
        // notice a release.
        await sleep(Math.min(pollMs, Math.max(1, attempt.pttlMs + 1), left), signal);
      }
    },

    async inspect(resource) {
      return parseHolder(await run(SCRIPTS.inspect, [leaseKey(resource)], []));
    },

    async fencedExecOrThrow(lease, commands) {
      const replies = await fencedExec(lease, commands);
      if (replies === false) throw new LeaseLostError(lease.resource, lease.token);
      return replies;
    },
  };
}

function parseHolder(reply: unknown): LeaseHolder | null {
  if (reply === null) return null;
  if (Array.isArray(reply) && typeof reply[0] === 'string' && typeof reply[1] === 'string') {
    const token = Number(reply[0]);
    const ttlMs = reply[2];
    if (Number.isSafeInteger(token) && typeof ttlMs === 'number') return { token, owner: reply[1], ttlMs };
  }
  throw new TypeError(`lease inspect script returned ${JSON.stringify(reply)}`);
}

function isFencedReply(value: unknown): value is FencedReply {
  return value === null || typeof value === 'string' || typeof value === 'number';
}
