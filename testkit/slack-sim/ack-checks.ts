/**
 * An ack's payload as Slack checks it, in HTTP and Socket Mode alike: what it shows or renders must
 * be valid, or the user sees an error instead. A view submission's pushed or updated view must be a
 * valid modal and its `errors` non-empty text per block; a slash command's reply a valid message;
 * an options answer a valid option list.
 */

import {
  DEFAULT_LENGTH_UNIT,
  type LengthUnit,
  textLength,
  validateMessageBlocks,
  validateModalView,
  validateOptionsResponse,
} from './block-kit.js';
import type { EnvelopeType } from './socket-mode.js';
import type { SocketAck } from './types.js';

/** Slack's `response_action` values for a view submission's ack. */
const RESPONSE_ACTIONS = new Set(['clear', 'errors', 'push', 'update']);

/** A message's text ceiling, as chat.postMessage and response URLs count it. */
const MAX_REPLY_TEXT = 40_000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems with a view submission's ack body (none for a bare ack or `clear`). */
export function viewSubmissionAckProblems(
  body: Record<string, unknown>,
  unit: LengthUnit = DEFAULT_LENGTH_UNIT,
): string[] {
  const action = body.response_action;
  if (action === undefined) return [];
  if (typeof action !== 'string' || !RESPONSE_ACTIONS.has(action)) {
    return [`response_action must be one of: ${[...RESPONSE_ACTIONS].join(', ')}`];
  }
  if (action === 'push' || action === 'update') return validateModalView(body.view, { lengthUnit: unit });
  if (action === 'errors') {
    const errors = body.errors;
    if (!isObject(errors) || Object.keys(errors).length === 0) return ['errors must name at least one block'];
    const bad = Object.entries(errors).filter(([, text]) => typeof text !== 'string' || text.length === 0);
    return bad.map(([blockId]) => `errors/${blockId} must be non-empty text`);
  }
  return [];
}

function commandReplyProblems(body: Record<string, unknown>, unit: LengthUnit): string[] {
  const problems: string[] = [];
  const { response_type: responseType, text, blocks } = body;
  if (responseType !== undefined && responseType !== 'ephemeral' && responseType !== 'in_channel') {
    problems.push('response_type must be ephemeral or in_channel');
  }
  if (text !== undefined && typeof text !== 'string') problems.push('text must be a string');
  if (typeof text === 'string' && textLength(text, unit) > MAX_REPLY_TEXT) problems.push('msg_too_long');
  if (blocks !== undefined) problems.push(...validateMessageBlocks(blocks, { lengthUnit: unit }));
  return problems;
}

/**
 * Problems Slack would have with an ack's payload; none for a bare ack (`{}` or no payload), and
 * none for envelopes whose ack payload Slack ignores (clicks).
 */
export function ackProblems(
  type: EnvelopeType,
  payload: Record<string, unknown>,
  ack: SocketAck,
  unit: LengthUnit,
): string[] {
  const body = ack.ack.payload;
  if (body === undefined || (isObject(body) && Object.keys(body).length === 0)) return [];
  if (!isObject(body)) return ['the ack payload must be an object'];
  if (type === 'slash_commands') return commandReplyProblems(body, unit);
  if (payload.type === 'view_submission') return viewSubmissionAckProblems(body, unit);
  if (payload.type === 'block_suggestion') return validateOptionsResponse(body, { lengthUnit: unit });
  return [];
}
