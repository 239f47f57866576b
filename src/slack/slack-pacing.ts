import { createRateBudget, type RateBudgetRedis } from '../coordination/rate-budget.js';

/**
 * `chat.update` is Tier 3: ~50 calls a minute for the whole app in a workspace, whichever process
 * sends them. 45 leaves room for the bot's own edits and for a burst of final edits.
 */
export const CHAT_UPDATES_PER_MINUTE = 45;
/**
 * Slack takes one message a second per channel. Posts are spaced 1.25 s apart so that a post sent up to
 * 250 ms later than its slot (a busy event loop, a slow round trip) still lands a second after the one
 * before it (see rate-budget.ts for the arithmetic with window 1 s, limit 1).
 */
export const POST_SPACING_MS = 1_250;
/** A wake-up later than this gives its post slot back rather than risk a 429; below the 250 ms above. */
const POST_MAX_LATENESS_MS = 150;
/** For the per-minute budget a late wake-up costs nothing: 60 s / 45 leaves seconds of slack per slot. */
const EDIT_MAX_LATENESS_MS = 2_000;

/**
 * Slack's rate limits as budgets shared in Redis by the bot and every worker, per workspace: the
 * thread's posts per channel, and `chat.update` edits, where a progress edit only takes a free slot
 * (dropped otherwise: the next one carries the truth) and a final edit waits for one.
 */
export interface SlackPacing {
  /** Resolves when a message may be posted in `channel`. */
  post(channel: string, signal?: AbortSignal): Promise<void>;
  /** True when a progress edit may be sent now; false means skip it. Never waits. */
  tryProgressEdit(): Promise<boolean>;
  /** Resolves when an edit that must not be lost (a run's final state) may be sent. */
  finalEdit(signal?: AbortSignal): Promise<void>;
}

export function createSlackPacing(
  redis: RateBudgetRedis,
  options: {
    keyPrefix: string;
    teamId: string;
    /**
     * Only for tests and the demo against a stand-in whose per-channel limit is off: a shorter spacing
     * (the production spacing stays whenever the stand-in plays Slack's limits).
     */
    postSpacingMs?: number;
  },
): SlackPacing {
  const postSpacingMs = options.postSpacingMs ?? POST_SPACING_MS;
  const keyPrefix = `${options.keyPrefix}:slack`;
  const posts = createRateBudget(redis, {
    keyPrefix,
    ratePerSecond: 1_000 / postSpacingMs,
    // Never more than the spacing itself can absorb.
    maxLatenessMs: Math.min(POST_MAX_LATENESS_MS, Math.floor(postSpacingMs / 5)),
  });
  const edits = createRateBudget(redis, {
    keyPrefix,
    ratePerSecond: CHAT_UPDATES_PER_MINUTE / 60,
    maxLatenessMs: EDIT_MAX_LATENESS_MS,
  });
  const editScope = `${options.teamId}:chat.update`;
  return {
    post: (channel, signal) => posts.acquire(`${options.teamId}:post:${channel}`, signal),
    tryProgressEdit: () => edits.tryAcquire(editScope),
    finalEdit: (signal) => edits.acquire(editScope, signal),
  };
}
