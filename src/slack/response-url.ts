import type { Logger } from '../shared/logger.js';

/** What a response URL takes; always ephemeral, never replacing the message it came from. */
export interface ResponseMessage {
  text: string;
  blocks?: unknown[];
}

export type ResponsePoster = (responseUrl: string | undefined, message: ResponseMessage) => Promise<boolean>;

/** A response URL answers in a second or not at all; we never hold a listener longer than this. */
const RESPONSE_TIMEOUT_MS = 2_000;

/**
 * Answers through a command's or an interaction's `response_url`. Unlike chat.postEphemeral, it works
 * wherever the user was — a DM between people, a private channel the bot is not in — so refusals
 * land where the user is looking. Only Slack's own hosts are trusted (the URL may come back to us in a
 * view's private_metadata): hooks.slack.com, or the origin of SLACK_API_URL when it points at a stand-in.
 * `replace_original: false` is explicit: on a message, leaving it out may replace the thread's parent.
 */
export function createResponsePoster(deps: { slackApiUrl: string; logger: Logger }): ResponsePoster {
  const trusted = new Set(['https://hooks.slack.com', new URL(deps.slackApiUrl).origin]);
  return async (responseUrl, message) => {
    if (!responseUrl || !URL.canParse(responseUrl) || !trusted.has(new URL(responseUrl).origin)) {
      deps.logger.warn('no usable response_url; the notice is not shown', { hasUrl: Boolean(responseUrl) });
      return false;
    }
    try {
      const response = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
        signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
      });
      if (!response.ok) {
        deps.logger.warn('response_url refused the notice', {
          status: response.status,
          answer: (await response.text()).slice(0, 100),
        });
      }
      return response.ok;
    } catch (error) {
      deps.logger.warn('response_url did not answer', { error });
      return false;
    }
  };
}
