/**
 * Slack's published rate limits, played strictly (no bursts): Tier 3 methods take 50 calls a
 * minute per workspace, and `chat.postMessage` one message a second per channel. Off unless asked
 * (`SlackSimOptions.rateLimits`). A refused call is answered 429 with the Retry-After that would let
 * it through.
 */
const TIER_3 = new Set([
  'chat.update',
  'conversations.info',
  'usergroups.users.list',
  'files.completeUploadExternal',
]);
const TIER_3_PER_MINUTE = 50;
/** Tier 4 (100+ a minute per workspace), played at its floor. */
const TIER_4 = new Set(['views.publish']);
const TIER_4_PER_MINUTE = 100;
const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;

export class RateLimits {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before this call would pass, or undefined when it passes (and is counted). */
  take(method: string, args: Record<string, unknown>): number | undefined {
    if (TIER_3.has(method)) return this.admit(`tier3:${method}`, TIER_3_PER_MINUTE, MINUTE_MS);
    if (TIER_4.has(method)) return this.admit(`tier4:${method}`, TIER_4_PER_MINUTE, MINUTE_MS);
    if (method === 'chat.postMessage' && typeof args.channel === 'string')
      return this.admit(`channel:${args.channel}`, 1, SECOND_MS);
    return undefined;
  }

  /**
   * The Home tab's own limit, switched on apart from the others (`homePublishSpacingMs`): one
   * views.publish per user per `spacingMs`. Seconds to wait, or undefined when the call passes.
   */
  takeHomePublish(method: string, args: Record<string, unknown>, spacingMs: number | undefined) {
    if (spacingMs === undefined || method !== 'views.publish' || typeof args.user_id !== 'string')
      return undefined;
    return this.admit(`home:${args.user_id}`, 1, spacingMs);
  }

  clear(): void {
    this.windows.clear();
  }

  private admit(key: string, limit: number, windowMs: number): number | undefined {
    const now = this.now();
    const recent = (this.windows.get(key) ?? []).filter((at) => now - at < windowMs);
    if (recent.length >= limit) {
      this.windows.set(key, recent);
      const oldest = recent[0] ?? now;
      return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
    }
    recent.push(now);
    this.windows.set(key, recent);
    return undefined;
  }
}
