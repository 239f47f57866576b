import { z } from 'zod';
import { conversationId, hasMember, hiddenFromBot } from '../directory.js';
import type { SimState } from '../state.js';
import type { SimMessage } from '../types.js';
import { fail, type MethodSpec, ok, parseArgs } from './method.js';
import { blocksProblem, hasBlocks, postableConversation, textTooLong, threadRoot, tsArg } from './posting.js';

const MISSING_TEXT_FALLBACK = 'missing_text_fallback';

function renderMessage(state: SimState, message: SimMessage): Record<string, unknown> {
  return {
    type: 'message',
    user: message.user,
    bot_id: state.config.botId,
    team: state.config.teamId,
    text: message.text,
    ts: message.ts,
    ...(message.blocks === undefined ? {} : { blocks: message.blocks }),
    ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
    ...(message.edits === 0 ? {} : { edited: { user: message.user, ts: message.ts } }),
  };
}

const PostMessageArgs = z.object({
  channel: z.string().min(1),
  text: z.string().optional(),
  blocks: z.unknown().optional(),
  attachments: z.unknown().optional(),
  thread_ts: tsArg.optional(),
});

export const chatPostMessage: MethodSpec = {
  scope: 'chat:write',
  handle(rawArgs, { state, warn }) {
    const parsed = parseArgs(PostMessageArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const args = parsed.data;
    const destination = postableConversation(state, args.channel);
    if (!destination.ok) return destination.body;
    const conversation = destination.value;
    const blocksError = blocksProblem(args.blocks, state.config.lengthUnit);
    if (blocksError !== undefined) return blocksError;
    const text = args.text ?? '';
    if (text === '' && !hasBlocks(args.blocks) && args.attachments === undefined) return fail('no_text');
    if (textTooLong(text, state.config.lengthUnit)) return fail('msg_too_long');
    let threadTs: string | undefined;
    if (args.thread_ts !== undefined) {
      const root = threadRoot(state, conversation, args.thread_ts);
      if (!root.ok) return root.body;
      threadTs = root.value;
    }
    const missingTextFallback = text === '' && hasBlocks(args.blocks);
    if (missingTextFallback) warn(MISSING_TEXT_FALLBACK);
    const message: SimMessage = {
      channel: conversationId(conversation),
      ts: state.clock.next(),
      ...(threadTs === undefined ? {} : { threadTs }),
      user: state.config.botUserId,
      text,
      ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
      edits: 0,
      missingTextFallback,
    };
    state.messages.push(message);
    return ok({ channel: message.channel, ts: message.ts, message: renderMessage(state, message) });
  },
};

const UpdateArgs = z.object({
  channel: z.string().min(1),
  ts: tsArg,
  text: z.string().optional(),
  blocks: z.unknown().optional(),
  attachments: z.unknown().optional(),
});

export const chatUpdate: MethodSpec = {
  scope: 'chat:write',
  handle(rawArgs, { state, warn }) {
    const parsed = parseArgs(UpdateArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const args = parsed.data;
    const conversation = state.directory.resolve(args.channel);
    if (conversation === undefined || hiddenFromBot(conversation)) return fail('channel_not_found');
    const message = state.findMessage(conversationId(conversation), args.ts);
    if (message === undefined) return fail('message_not_found');
    // A bot may edit only its own messages.
    if (message.user !== state.config.botUserId) return fail('cant_update_message');
    const blocksError = blocksProblem(args.blocks, state.config.lengthUnit);
    if (blocksError !== undefined) return blocksError;
    if (args.text === undefined && args.blocks === undefined && args.attachments === undefined) {
      return fail('no_text');
    }
    if (textTooLong(args.text, state.config.lengthUnit)) return fail('msg_too_long');
    // As on Slack: what is left out is kept; an empty `blocks` array removes the blocks.
    if (args.text !== undefined) message.text = args.text;
    if (Array.isArray(args.blocks)) {
      if (args.blocks.length === 0) delete message.blocks;
      else message.blocks = args.blocks;
    }
    message.edits += 1;
    message.missingTextFallback = message.text === '' && hasBlocks(message.blocks);
    if (message.missingTextFallback) warn(MISSING_TEXT_FALLBACK);
    return ok({
      channel: message.channel,
      ts: message.ts,
      text: message.text,
      message: renderMessage(state, message),
    });
  },
};

const PostEphemeralArgs = z.object({
  channel: z.string().min(1),
  user: z.string().min(1),
  text: z.string().optional(),
  blocks: z.unknown().optional(),
  attachments: z.unknown().optional(),
  thread_ts: tsArg.optional(),
});

export const chatPostEphemeral: MethodSpec = {
  scope: 'chat:write',
  handle(rawArgs, { state, warn }) {
    const parsed = parseArgs(PostEphemeralArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const args = parsed.data;
    const destination = postableConversation(state, args.channel);
    if (!destination.ok) return destination.body;
    if (state.directory.user(args.user) === undefined) return fail('user_not_found');
    // Ephemeral messages reach members only: the user must be in the conversation.
    if (!hasMember(destination.value, args.user)) return fail('user_not_in_channel');
    const blocksError = blocksProblem(args.blocks, state.config.lengthUnit);
    if (blocksError !== undefined) return blocksError;
    const text = args.text ?? '';
    if (text === '' && !hasBlocks(args.blocks) && args.attachments === undefined) return fail('no_text');
    if (textTooLong(text, state.config.lengthUnit)) return fail('msg_too_long');
    if (text === '' && hasBlocks(args.blocks)) warn(MISSING_TEXT_FALLBACK);
    const messageTs = state.clock.next();
    state.ephemerals.push({
      channel: conversationId(destination.value),
      user: args.user,
      text,
      ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
      ...(args.thread_ts === undefined ? {} : { threadTs: args.thread_ts }),
      messageTs,
    });
    return ok({ message_ts: messageTs });
  },
};

const GetPermalinkArgs = z.object({ channel: z.string().min(1), message_ts: tsArg });

export const chatGetPermalink: MethodSpec = {
  handle(rawArgs, { state }) {
    const parsed = parseArgs(GetPermalinkArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const args = parsed.data;
    const conversation = state.directory.resolve(args.channel);
    if (conversation === undefined || hiddenFromBot(conversation)) return fail('channel_not_found');
    const channel = conversationId(conversation);
    const message = state.findMessage(channel, args.message_ts);
    if (message === undefined) return fail('message_not_found');
    const path = `${state.url}/archives/${channel}/p${message.ts.replace('.', '')}`;
    const query = message.threadTs === undefined ? '' : `?thread_ts=${message.threadTs}&cid=${channel}`;
    return ok({ channel, permalink: `${path}${query}` });
  },
};
