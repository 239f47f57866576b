import type { WebClient } from '@slack/web-api';

/**
 * Can the bot post in a conversation? `reachable`; `not_member` (a channel it can see but is not
 * in: an invite fixes it); `hidden` (Slack says it does not exist for the bot: a private channel
 * without it, a DM between people, a group DM); `archived`; `unknown` when Slack did not say in time.
 */
export type Reach = 'reachable' | 'not_member' | 'hidden' | 'archived' | 'unknown';

export type ChannelReach = (channel: string) => Promise<Reach>;

interface ConversationInfo {
  is_im?: boolean;
  is_member?: boolean;
  is_archived?: boolean;
}

/**
 * Asks `conversations.info` (channels:read, groups:read, im:read, mpim:read) with the fast client (no
 * retries, 1 s timeout: it runs before the command's ack), so a slow Slack costs the ack one second at
 * most, then `unknown` (the confirmation step still refuses cleanly if the post fails).
 */
export function createChannelReach(client: Pick<WebClient, 'conversations'>): ChannelReach {
  return async (channel) => {
    try {
      const answer = await client.conversations.info({ channel });
      const info = (answer.channel ?? {}) as ConversationInfo;
      if (info.is_archived) return 'archived';
      // Slack shows the bot its own DM with the user (is_im); anything else must have it as a member.
      if (info.is_im || info.is_member) return 'reachable';
      return 'not_member';
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code === 'channel_not_found') return 'hidden';
      return 'unknown';
    }
  };
}
