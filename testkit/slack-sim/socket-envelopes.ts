/**
 * What Slack adds to a Socket Mode envelope and checks in its ack, the same as in HTTP mode:
 *
 * - Trigger ids come from Slack. Each envelope that carries one (slash commands, clicks, view
 *   submissions, shortcuts) gets a fresh id from the stand-in's trigger registry, so it works once
 *   and expires `triggerTtlMs` after the envelope was sent, whatever the caller put in the payload.
 * - An ack's payload is checked as Slack checks it (`ack-checks.ts`). Slack would show the user an
 *   error instead of a bad one, so the stand-in refuses it: the send rejects with `RefusedAckError`.
 */
import type { EnvelopeType } from './socket-mode.js';
import type { TriggerRegistry } from './triggers.js';
import type { SocketAck } from './types.js';

/** Interactive payloads that carry a trigger id on Slack (block_suggestion and view_closed do not). */
const WITH_TRIGGER = new Set(['block_actions', 'view_submission', 'shortcut', 'message_action']);

/** The payload with a freshly issued trigger id where Slack would put one, and that id. */
export function withIssuedTrigger(
  type: EnvelopeType,
  payload: Record<string, unknown>,
  triggers: TriggerRegistry,
  ageMs: number | undefined,
): { payload: Record<string, unknown>; triggerId?: string } {
  const carries = type === 'slash_commands' || WITH_TRIGGER.has(String(payload.type));
  if (!carries) return { payload };
  const triggerId = triggers.issue(ageMs);
  return { payload: { ...payload, trigger_id: triggerId }, triggerId };
}

/** Thrown when the app acked in time but with a payload Slack would refuse (the user sees an error). */
export class RefusedAckError extends Error {
  constructor(
    readonly problems: string[],
    readonly ack: SocketAck,
  ) {
    super(`Slack would refuse this ack: ${problems.join('; ')}`);
    this.name = 'RefusedAckError';
  }
}
