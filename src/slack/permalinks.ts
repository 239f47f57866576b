import type { WebClient } from '@slack/web-api';
import type { Logger } from '../shared/logger.js';

export interface ThreadRef {
  channel: string;
  threadTs?: string | undefined;
}

export interface Permalinks {
  /** Slack's permalink of a thread's parent, or undefined when Slack did not give one (in time). */
  of(thread: ThreadRef | undefined): Promise<string | undefined>;
}

/** Permalinks never change; a bounded memory of the recent ones is enough. */
const MAX_CACHED = 1_000;

/**
 * Links to threads come from `chat.getPermalink` (the workspace's own URL, right for Enterprise Grid
 * and custom domains), asked once per thread and cached; failures are not cached. Use the fast client:
 * links are needed in acks (inline errors, /migrate status).
 */
export function createPermalinks(client: Pick<WebClient, 'chat'>, logger?: Logger): Permalinks {
  const cache = new Map<string, Promise<string | undefined>>();
  return {
    of(thread) {
      if (!thread?.threadTs) return Promise.resolve(undefined);
      const key = `${thread.channel}/${thread.threadTs}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const link = client.chat
        .getPermalink({ channel: thread.channel, message_ts: thread.threadTs })
        .then((answer) => answer.permalink);
      const settled = link.catch((error: unknown) => {
        // The message then names the channel without a link; the next message asks Slack again.
        logger?.warn('chat.getPermalink failed; the thread is named without a link', { error });
        cache.delete(key);
        return undefined;
      });
      cache.set(key, settled);
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
      return settled;
    },
  };
}
