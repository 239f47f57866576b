import { type Logger, LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import type { SlackSim } from '../../testkit/slack-sim/index.js';

/** WebClient logs every refused block and retry; the assertions say what matters. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/**
 * The production client, pointed at the stand-in. No retries unless a test asks: a 500 would
 * otherwise be retried for half an hour.
 */
export function simClient(sim: SlackSim, options: WebClientOptions = {}, token = sim.botToken): WebClient {
  return new WebClient(token, {
    slackApiUrl: sim.apiUrl,
    logger: silentLogger,
    retryConfig: { retries: 0 },
    ...options,
  });
}

/** The Slack error code a rejected WebClient call carries (`data.error`), or the error's code. */
export async function slackError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const data = (error as { data?: { error?: unknown } }).data;
    if (typeof data?.error === 'string') return data.error;
    return String((error as { code?: unknown }).code ?? error);
  }
  throw new Error('expected the call to fail, it succeeded');
}
