import { WebClient } from '@slack/web-api';

/** Calls made before an ack answer within this, or not at all. */
const FAST_TIMEOUT_MS = 1_000;

/**
 * A WebClient for the questions asked while Slack waits for an ack (is the bot in this channel? what
 * is this thread's permalink?): no retries, no waiting out rate limits, a 1 s timeout. The listeners'
 * own client retries, which is right after an ack and wrong before one.
 */
export function createFastClient(token: string, slackApiUrl: string, timeoutMs = FAST_TIMEOUT_MS): WebClient {
  return new WebClient(token, {
    slackApiUrl,
    timeout: timeoutMs,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}
