import { ErrorCode, type WebAPICallResult, type WebClientOptions } from '@slack/web-api';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from '../shared/logger.js';
import { sleep } from '../shared/sleep.js';
import { MeteredWebClient } from './metered-client.js';
import type { SlackPacing } from './slack-pacing.js';

/** 429s waited out per call before it fails (then the caller's own retry or drop applies). */
const RATE_LIMIT_RETRIES = 5;

/**
 * A client whose posts take a slot of their channel's shared budget first, every attempt included.
 * It answers 429s itself instead of leaving them to WebClient, which pauses its whole queue for the
 * Retry-After and then lets everything queued meanwhile go at once: posts whose slots passed during
 * the pause burst into the channel, draw 429s of their own, and the thread starves (seen with five
 * runs in one channel). Here a rate-limited call waits Retry-After, then takes a fresh slot.
 */
export class PacedWebClient extends MeteredWebClient {
  readonly #pacing: () => SlackPacing | undefined;

  constructor(
    token: string,
    options: WebClientOptions,
    observe: { metrics: Metrics; logger: Logger; name: string; pacing: () => SlackPacing | undefined },
  ) {
    super(token, { ...options, rejectRateLimitedCalls: true }, observe);
    this.#pacing = observe.pacing;
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    for (let retries = 0; ; retries++) {
      const channel = options?.channel;
      if (method === 'chat.postMessage' && typeof channel === 'string') await this.#pacing()?.post(channel);
      try {
        return await super.apiCall(method, options);
      } catch (error) {
        const e = error as { code?: string; retryAfter?: number };
        if (e?.code !== ErrorCode.RateLimitedError || retries >= RATE_LIMIT_RETRIES) throw error;
        await sleep((e.retryAfter ?? 1) * 1_000);
      }
    }
  }
}
