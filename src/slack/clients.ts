import { LogLevel, type WebClient } from '@slack/web-api';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from '../shared/logger.js';
import { boltLogger } from './bolt-logger.js';
import { MeteredWebClient } from './metered-client.js';
import { PacedWebClient } from './paced-client.js';
import type { SlackPacing } from './slack-pacing.js';

/**
 * One WebClient per kind of work, because a WebClient pauses its whole queue while it waits out a 429:
 * shared, a rate-limited `chat.update` held every admin check for the Retry-After (~3 s) and the
 * admin was told "Slack took too long".
 */
export interface SlackClients {
  /** Admin checks (users.info, the user group) and start-up questions: a user is waiting. */
  interactive: WebClient;
  /** Thread posts, the report upload and final edits: paced per channel, waits out 429s. */
  thread: WebClient;
  /** Progress edits: droppable (the next one carries the truth), so never retried nor waited for. */
  progress: WebClient;
  /**
   * Questions asked while Slack waits for an ack (is the bot in this channel? what is this thread's
   * permalink?): no retries, no waiting out rate limits, a 1 s timeout. Retrying is right after an ack
   * and wrong before one.
   */
  fast: WebClient;
}

// The ack budget, not this timeout, bounds what happens before an ack; after it, a slow users.info
// (2.5 s, say) must still be allowed to answer so the admin gets the outcome by response_url.
const INTERACTIVE_TIMEOUT_MS = 8_000;
/** An upload of a large report can take a while; a Slack that does not answer at all must not. */
const THREAD_TIMEOUT_MS = 30_000;
const PROGRESS_TIMEOUT_MS = 5_000;
/** Calls made before an ack answer within this, or not at all. */
const FAST_TIMEOUT_MS = 1_000;

export function createSlackClients(options: {
  token: string;
  slackApiUrl: string;
  logger: Logger;
  metrics: Metrics;
  /** The shared budgets, once the workspace is known (the first calls ask Slack which it is). */
  pacing: () => SlackPacing | undefined;
}): SlackClients {
  const { token, slackApiUrl, logger, metrics } = options;
  const quiet = boltLogger(logger, LogLevel.ERROR);
  const build = (name: string, extra: object) =>
    new MeteredWebClient(token, { slackApiUrl, logger: quiet, ...extra }, { metrics, logger, name });
  return {
    interactive: build('interactive', {
      timeout: INTERACTIVE_TIMEOUT_MS,
      retryConfig: { retries: 1, minTimeout: 100, maxTimeout: 100 },
      // A 429 here is an answer ("try again"), not a reason to hold the admin past Slack's 3 s.
      rejectRateLimitedCalls: true,
    }),
    thread: new PacedWebClient(
      token,
      {
        slackApiUrl,
        logger: quiet,
        timeout: THREAD_TIMEOUT_MS,
        // Bounded: a Slack outage must not hold a migration (or an ack) for half an hour.
        retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
      },
      { metrics, logger, name: 'thread', pacing: options.pacing },
    ),
    progress: build('progress', {
      timeout: PROGRESS_TIMEOUT_MS,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    }),
    fast: build('fast', {
      timeout: FAST_TIMEOUT_MS,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    }),
  };
}
