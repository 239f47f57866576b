import { z } from 'zod';
import { hiddenFromBot } from '../directory.js';
import { fail, type MethodSpec, missingScope, ok, parseArgs } from './method.js';

const OpenArgs = z.object({ users: z.string().min(1) });

/** Opens (or finds) the bot's DM with one user. Group DMs are not simulated. */
export const conversationsOpen: MethodSpec = {
  scope: 'im:write',
  handle(rawArgs, { state }) {
    const parsed = parseArgs(OpenArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const ids = parsed.data.users.split(',').map((id) => id.trim());
    const [userId] = ids;
    if (ids.length !== 1 || userId === undefined) {
      return fail('invalid_arguments', {
        response_metadata: {
          messages: ['[ERROR] the stand-in opens DMs with one user only [json-pointer:/users]'],
        },
      });
    }
    const user = state.directory.user(userId);
    if (user === undefined) return fail('user_not_found');
    if (user.deleted) return fail('user_disabled');
    return ok({ channel: { id: state.directory.dmChannelFor(user.id) } });
  },
};

const InfoArgs = z.object({ channel: z.string().min(1) });

export const conversationsInfo: MethodSpec = {
  handle(rawArgs, { state }) {
    const parsed = parseArgs(InfoArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const target = parsed.data.channel;
    const conversation = state.directory.resolve(target);
    // Only ids here: Slack's conversations.info takes no names and no user ids.
    const byId =
      conversation !== undefined &&
      (conversation.kind === 'channel' ? conversation.channel.id === target : conversation.id === target);
    if (conversation === undefined || !byId || hiddenFromBot(conversation)) return fail('channel_not_found');
    // Slack wants the read scope of the conversation's kind.
    const needed =
      conversation.kind === 'im' || conversation.channel.isIm
        ? 'im:read'
        : conversation.channel.isMpim
          ? 'mpim:read'
          : conversation.channel.isPrivate
            ? 'groups:read'
            : 'channels:read';
    const scopeProblem = missingScope(state.config.scopes, needed);
    if (scopeProblem !== undefined) return scopeProblem;
    if (conversation.kind === 'im') {
      return ok({
        channel: {
          id: conversation.id,
          is_im: true,
          is_channel: false,
          is_private: true,
          user: conversation.user.id,
        },
      });
    }
    const { channel } = conversation;
    return ok({
      channel: {
        id: channel.id,
        name: channel.name,
        is_channel: !(channel.isPrivate || channel.isIm || channel.isMpim),
        is_group: Boolean(channel.isPrivate && !channel.isMpim),
        is_im: Boolean(channel.isIm),
        is_mpim: Boolean(channel.isMpim),
        is_private: Boolean(channel.isPrivate || channel.isIm || channel.isMpim),
        is_archived: false,
        is_member: channel.botIsMember,
      },
    });
  },
};
