import { sleep as sleepMs } from '../shared/sleep.js';
import type { RedisConnection } from './redis-connections.js';
import { redisScript, runScript } from './redis-script.js';

/**
 * One shared request budget per v3 application, kept in Redis, so that every worker process on every
 * machine together stays under Nylas's limit of 20 Migration-API requests in any sliding second.
 *
 * Why pacing and not a token bucket: a bucket with a burst of 20 that refills at 20/s admits 20 at the
 * end of one second and 20 more at the start of the next — 40 inside one sliding window. Instead every
 * request gets its own send slot, and slots are spaced `1000 / ratePerSecond` ms apart on one clock
 * (Redis's `TIME`), so the spacing holds across processes whatever their local clocks say.
 *
 * The bound (with `I = 1000 / rate` the slot spacing, `W` the window, `D` the most an arrival at the
 * server can trail its slot): every arrival lies in `[slot, slot + D]`, so the arrivals inside a window
 * `[t, t + W]` have their slots in `[t − D, t + W]`, an interval of length `W + D` that holds at most
 * `floor((W + D) / I) + 1` slots. That is at most `limit` as long as `D < limit · I − W`, i.e.
 * `D < 1000 · limit / rate − 1000`. For limit 20 at rate 19: `D < 52.6 ms`. `D` is this module's
 * lateness guard (`maxLatenessMs`, 35 ms by default) plus the spread of the callers' one-way latency to
 * Nylas (so ~17 ms of jitter stays covered). Slots thrown away by the guard leave gaps; they never add
 * arrivals, so the bound still holds.
 *
 * Assumptions: the Redis host's clock is slewed, not stepped (a forward jump would start new slots
 * while old reservations are still pending), and Redis does not evict keys (`noeviction`).
 */

/**
 * The pace for Nylas's Migration API, whose limit is 20 requests per sliding second per v3 app.
 * 19/s is 95 % of the limit (the design asks for ≥ 90 %) and leaves `1000 · 20/19 − 1000 ≈ 52.6 ms`
 * of slack per slot for late wake-ups and network jitter (see {@link maxSafeLatenessMs}).
 */
export const NYLAS_MIGRATION_RATE_PER_SECOND = 19;

/** Nylas's own limit, for the arithmetic above and for tests. */
export const NYLAS_MIGRATION_LIMIT_PER_SECOND = 20;

/** Default lateness guard: 35 of the 52.6 ms of slack at 19/s; the rest absorbs network jitter. */
export const DEFAULT_MAX_LATENESS_MS = 35;

/** After this many slots in a row thrown away as late, `acquire` gives up (see `rate_budget_starved`). */
const DEFAULT_MAX_DISCARDS_IN_A_ROW = 20;

/** Idle keys outlive their last reservation by this long, then vanish. */
const IDLE_KEY_GRACE_MS = 1000;

export type RateBudgetErrorCode = 'rate_budget_invalid_options' | 'rate_budget_starved';

export class RateBudgetError extends Error {
  readonly code: RateBudgetErrorCode;

  constructor(code: RateBudgetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RateBudgetError';
    this.code = code;
  }
}

export interface RateBudgetOptions {
  /** Prefix of the Redis keys (one key per scope: `${keyPrefix}:rate:${scope}`). */
  keyPrefix: string;
  /** Slots per second handed out per scope; use {@link NYLAS_MIGRATION_RATE_PER_SECOND} for Nylas. */
  ratePerSecond: number;
  /**
   * A caller that wakes up more than this long after its slot throws the slot away and queues for a
   * new one instead of sending late. Must stay below {@link maxSafeLatenessMs} minus network jitter.
   */
  maxLatenessMs?: number;
  /** Consecutive late slots after which `acquire` rejects with `rate_budget_starved` (default 20). */
  maxDiscardsInARow?: number;
  /** Told about every slot thrown away as late (for metrics and tests); must not throw. */
  onSlotDiscarded?: (event: { scope: string; latenessMs: number; roundTripMs: number }) => void;
}

export interface RateBudget {
  /**
   * Resolves at the moment the caller may send exactly one request for `scope` (the v3 app id):
   * send it right away, with no other `await` in between. Rejects with `signal.reason` if the signal
   * aborts first, and with a `RateBudgetError` (`rate_budget_starved`) if this process keeps waking up
   * too late to use its slots (a persistently blocked event loop, or a Redis round trip slower than
   * `maxLatenessMs`). A slot is reserved when the call starts: an aborted call leaves a gap, never
   * a burst. Each waiting call adds one abort listener to `signal`; raise `setMaxListeners` on a
   * signal shared by more than 10 concurrent callers.
   */
  acquire(scope: string, signal?: AbortSignal): Promise<void>;
  /**
   * Takes the slot of `scope` only if it is free now, without waiting: true means send at once, false
   * means no slot (nothing was reserved, so a refused try never delays anyone). For work that is better
   * dropped than late, such as a progress edit that the next one supersedes.
   */
  tryAcquire(scope: string): Promise<boolean>;
}

/** The Redis commands the budget uses; a full `Redis` connection fits. */
export type RateBudgetRedis = Pick<RedisConnection, 'evalsha' | 'eval'>;

/**
 * Reserves the next send slot of one scope, on Redis's clock (µs): `slot = max(now, next)`, then
 * `next = slot + interval`. Returns `slot − now` in µs. The key expires once idle so that unused
 * scopes leave nothing behind. `next` is written with `%.0f` because Lua 5.1's `tostring` keeps only
 * 14 significant digits and a µs timestamp has 16.
 * KEYS[1]: the scope's key. ARGV[1]: slot spacing in µs. ARGV[2]: idle grace in ms.
 */
const RESERVE_SLOT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextSlot)
local newNext = slot + tonumber(ARGV[1])
local ttlMs = math.ceil((newNext - now) / 1000) + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.0f', newNext), 'PX', string.format('%.0f', ttlMs))
return slot - now
`;
const RESERVE_SLOT = redisScript(RESERVE_SLOT_LUA);

/**
 * The same reservation, made only when the slot would start now (`next ≤ now`): returns 1 when taken,
 * 0 when the next slot lies in the future (then nothing is written). Same KEYS and ARGV.
 */
const TRY_RESERVE_SLOT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextSlot > now then return 0 end
local newNext = now + tonumber(ARGV[1])
local ttlMs = math.ceil((newNext - now) / 1000) + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.0f', newNext), 'PX', string.format('%.0f', ttlMs))
return 1
`;
const TRY_RESERVE_SLOT = redisScript(TRY_RESERVE_SLOT_LUA);

/**
 * Creates a budget that paces every `acquire` of one scope, from any number of processes sharing
 * `redis`'s server, to `ratePerSecond` slots a second. See the module comment for why this keeps any
 * sliding second at or under the limit.
 */
export function createRateBudget(redis: RateBudgetRedis, opts: RateBudgetOptions): RateBudget {
  const maxLatenessMs = opts.maxLatenessMs ?? DEFAULT_MAX_LATENESS_MS;
  const maxDiscards = opts.maxDiscardsInARow ?? DEFAULT_MAX_DISCARDS_IN_A_ROW;
  if (!opts.keyPrefix) invalid('keyPrefix must not be empty');
  if (!Number.isFinite(opts.ratePerSecond) || opts.ratePerSecond <= 0) {
    invalid(`ratePerSecond must be a positive number, got ${opts.ratePerSecond}`);
  }
  if (!Number.isFinite(maxLatenessMs) || maxLatenessMs < 0) {
    invalid(`maxLatenessMs must be a finite number ≥ 0, got ${maxLatenessMs}`);
  }
  if (!Number.isInteger(maxDiscards) || maxDiscards < 1) {
    invalid(`maxDiscardsInARow must be an integer ≥ 1, got ${maxDiscards}`);
  }
  // Rounded up so that rounding can only make the pace slower than asked, never faster.
  const intervalUs = Math.ceil(1_000_000 / opts.ratePerSecond);

  async function reserve(key: string): Promise<number> {
    const reply = await runScript(redis, RESERVE_SLOT, [key], [intervalUs, IDLE_KEY_GRACE_MS]);
    if (typeof reply !== 'number' || !Number.isFinite(reply) || reply < 0) {
      throw new TypeError(`rate budget script returned ${String(reply)}, expected a delay in µs`);
    }
    return reply / 1000;
  }

  const keyOf = (scope: string) => {
    if (!scope) throw new RateBudgetError('rate_budget_invalid_options', 'scope must not be empty');
    return `${opts.keyPrefix}:rate:${scope}`;
  };

  return {
    async tryAcquire(scope) {
      const reply = await runScript(redis, TRY_RESERVE_SLOT, [keyOf(scope)], [intervalUs, IDLE_KEY_GRACE_MS]);
      if (reply !== 0 && reply !== 1) {
        throw new TypeError(`rate budget script returned ${String(reply)}, expected 0 or 1`);
      }
      return reply === 1;
    },

    async acquire(scope, signal) {
      const key = keyOf(scope);
      for (let discards = 0; ; ) {
        signal?.throwIfAborted();
        const requestedAt = performance.now();
        const delayMs = await abortable(reserve(key), signal);
        const repliedAt = performance.now();
        // The script ran somewhere between `requestedAt` and `repliedAt` of our clock, so the slot lies
        // in [requestedAt + delay, repliedAt + delay]. Sleeping to the upper end never sends early;
        // measuring lateness from the lower end never underestimates it (a slow reply counts as late).
        await sleepUntil(repliedAt + delayMs, signal);
        const latenessMs = performance.now() - (requestedAt + delayMs);
        if (latenessMs <= maxLatenessMs) return;
        discards += 1;
        opts.onSlotDiscarded?.({ scope, latenessMs, roundTripMs: repliedAt - requestedAt });
        if (discards >= maxDiscards) {
          throw new RateBudgetError(
            'rate_budget_starved',
            `${discards} slots in a row for ${scope} came up more than ${maxLatenessMs} ms late ` +
              `(last ${latenessMs.toFixed(1)} ms): the event loop is blocked or Redis is too slow to reach`,
          );
        }
      }
    },
  };
}

/**
 * The largest lateness (arrival after slot) that still keeps every sliding second at or under
 * `limitPerSecond` when slots are paced at `ratePerSecond`: `1000 · limit / rate − 1000`.
 * Keep `maxLatenessMs` plus the network's jitter strictly below it.
 */
export function maxSafeLatenessMs(limitPerSecond: number, ratePerSecond: number): number {
  return (limitPerSecond * 1000) / ratePerSecond - 1000;
}

/**
 * The most timestamps found in any window of `windowMs`, counting two timestamps as in the same window
 * when they are at most `windowMs` apart. That is the conservative reading (the simulator counts them
 * together only when less than `windowMs` apart), so a bound checked with it holds for both.
 */
export function maxInSlidingWindow(timestampsMs: readonly number[], windowMs = 1000): number {
  const sorted = [...timestampsMs].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    const last = sorted[end] ?? 0;
    while ((sorted[start] ?? last) < last - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

function invalid(message: string): never {
  throw new RateBudgetError('rate_budget_invalid_options', message);
}

/** Settles with `promise`, or rejects with `signal.reason` as soon as the signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Sleeps until `performance.now() >= deadline`. Timers run on the event loop's cached millisecond
 * clock and can fire a fraction of a millisecond early, so it checks and sleeps again: sending before
 * the slot would break the bound just as sending late would.
 */
async function sleepUntil(deadline: number, signal: AbortSignal | undefined): Promise<void> {
  for (let left = deadline - performance.now(); left > 0; left = deadline - performance.now()) {
    await sleepMs(Math.ceil(left), signal);
  }
}
