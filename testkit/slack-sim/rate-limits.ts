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
const MINUTE_MS = 60_000;
const SECOND_MS = 1_000;

export class RateLimits {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before this call would pass, or undefined when it passes (and is counted). */
  take(method: string, args: Record<string, unknown>): number | undefined {
    if (TIER_3.has(method)) return this.admit(`tier3:${method}`, TIER_3_PER_MINUTE, MINUTE_MS);
    if (method === 'chat.postMessage' && typeof args.channel === 'string')
      return this.admit(`channel:${args.channel}`, 1, SECOND_MS);
    return undefined;
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
