import { z } from 'zod';
import { type LengthUnit, textLength, validateMessageBlocks } from '../block-kit.js';
import { type Conversation, conversationId, hiddenFromBot } from '../directory.js';
import type { SimState } from '../state.js';
import { fail, type SlackBody } from './method.js';

/**
 * A message timestamp. A number is accepted as Slack does, but turned into a string the way a
 * float prints, so a ts that lost its trailing zeros finds no message, as on Slack.
 */
export const tsArg = z.union([z.string().min(1), z.number()]).transform(String);

export type Checked<T> = { ok: true; value: T } | { ok: false; body: SlackBody };

/**
 * Where the bot may post: channels it is a member of, and its own DM with any user. Conversations it
 * cannot see (private channels, DMs between people, group DMs) do not exist for it.
 */
export function postableConversation(state: SimState, target: string): Checked<Conversation> {
  const conversation = state.directory.resolve(target);
  if (conversation === undefined || hiddenFromBot(conversation)) {
    return { ok: false, body: fail('channel_not_found') };
  }
  if (conversation.kind === 'channel' && !conversation.channel.botIsMember) {
    return { ok: false, body: fail('not_in_channel') };
  }
  return { ok: true, value: conversation };
}

/**
 * The ts of the thread a reply joins: the parent's, or the parent's own parent when the given ts
 * is itself a reply. An unknown ts is refused (`thread_not_found`) rather than posted at the top
 * level: here it can only mean the bot kept a wrong ts.
 */
export function threadRoot(state: SimState, conversation: Conversation, threadTs: string): Checked<string> {
  const parent = state.findMessage(conversationId(conversation), threadTs);
  if (parent === undefined) return { ok: false, body: fail('thread_not_found') };
  return { ok: true, value: parent.threadTs ?? parent.ts };
}

/** `invalid_blocks_format` for blocks that are not even JSON, `invalid_blocks` for bad Block Kit. */
export function blocksProblem(blocks: unknown, unit: LengthUnit): SlackBody | undefined {
  if (blocks === undefined) return undefined;
  if (typeof blocks === 'string') return fail('invalid_blocks_format');
  const messages = validateMessageBlocks(blocks, { lengthUnit: unit });
  if (messages.length === 0) return undefined;
  return fail('invalid_blocks', { errors: messages, response_metadata: { messages } });
}

/** Slack's ceiling for `text`: longer messages are refused. */
export const MAX_TEXT_LENGTH = 40_000;

/** `text` over Slack's ceiling, counted in the stand-in's reading of "characters". */
export function textTooLong(text: string | undefined, unit: LengthUnit): boolean {
  return text !== undefined && textLength(text, unit) > MAX_TEXT_LENGTH;
}

export function hasBlocks(blocks: unknown): blocks is unknown[] {
  return Array.isArray(blocks) && blocks.length > 0;
}
