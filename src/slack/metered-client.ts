import { type WebAPICallResult, WebClient, WebClientEvent, type WebClientOptions } from '@slack/web-api';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from '../shared/logger.js';

/**
 * A WebClient that counts its calls by method and result, and Slack's 429s by method. Every method of
 * the client (`chat.postMessage`, …) is bound to `apiCall` when the client is built, so overriding it
 * here sees them all.
 */
export class MeteredWebClient extends WebClient {
  readonly #metrics: Metrics;

  constructor(
    token: string | undefined,
    options: WebClientOptions,
    observe: { metrics: Metrics; logger: Logger; name: string },
  ) {
    super(token, options);
    this.#metrics = observe.metrics;
    watchRateLimits(this, observe);
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    try {
      const result = await super.apiCall(method, options);
      this.#metrics.slackCalls.inc({ method, result: 'ok' });
      return result;
    } catch (error) {
      this.#metrics.slackCalls.inc({ method, result: slackErrorCode(error) });
      throw error;
    }
  }
}

/**
 * Counts and logs the 429s of any WebClient (Bolt's own included): which client, which method (the last
 * part of the URL) and the Retry-After, so a limit that bites is seen before users feel it. Only the URL
 * is read from the event: its body holds the token.
 */
export function watchRateLimits(
  client: WebClient,
  observe: { metrics?: Metrics | undefined; logger: Logger; name: string },
): void {
  client.on(WebClientEvent.RATE_LIMITED, (retryAfterSeconds: number, info?: { url?: string }) => {
    const method = info?.url?.split('/').filter(Boolean).pop() ?? 'unknown';
    observe.metrics?.slackRateLimited.inc({ method });
    observe.logger.warn('Slack rate limited a call', { client: observe.name, method, retryAfterSeconds });
  });
}

/** Slack's error code (`channel_not_found`), or the client's kind of failure; a bounded set either way. */
function slackErrorCode(error: unknown): string {
  const e = error as { code?: string; data?: { error?: unknown } };
  if (typeof e?.data?.error === 'string' && /^[a-z_]{1,60}$/.test(e.data.error)) return e.data.error;
  return typeof e?.code === 'string' ? e.code : 'error';
}
