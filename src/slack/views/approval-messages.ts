import type { KnownBlock } from '@slack/types';
import type { MigrationRequest } from '../../migration/request.js';
import type { ApprovalDecision } from '../../store/migration-records.js';
import { ACTION, BLOCK } from '../ids.js';
import { approvalNote, utcTime } from './approval-text.js';
import { type AppLabels, routeLines } from './parent-message.js';
import { context, escapeMrkdwn, plain, section } from './text.js';

type ParentRequest = Pick<
  MigrationRequest,
  'migrationId' | 'v2AppId' | 'v3AppId' | 'title' | 'environment' | 'requestedBy' | 'mode'
>;
type SlackMessage = { text: string; blocks: KnownBlock[] };

const what = (request: Pick<MigrationRequest, 'mode'>) =>
  request.mode === 'only_failed' ? 'Retry of failed accounts' : 'Migration';

/**
 * The parent while the run waits for a second admin: Approve (any other verified admin) and Reject (any
 * verified admin, the requester too: that withdraws the request). Nothing runs until one is pressed.
 */
export function awaitingApprovalMessage(
  request: ParentRequest,
  labels: AppLabels,
  dueAt: number,
): SlackMessage {
  const blocks: KnownBlock[] = [
    section(
      `:raised_hand: ${what(request)} *${escapeMrkdwn(request.title)}* is waiting for a second admin\n${routeLines(request, labels)}`,
    ),
    section(
      `*Waiting for a second admin.* ${request.environment} migrations need the approval of a verified admin other than <@${request.requestedBy}>. Nothing has been done at Nylas yet; the apps stay reserved until ${utcTime(dueAt)}, then the request lapses.`,
      BLOCK.progress,
    ),
    {
      type: 'actions',
      block_id: BLOCK.controls,
      elements: [
        {
          type: 'button',
          action_id: ACTION.approve,
          text: plain('Approve'),
          style: 'primary',
          value: request.migrationId,
        },
        {
          type: 'button',
          action_id: ACTION.reject,
          text: plain('Reject'),
          style: 'danger',
          value: request.migrationId,
          confirm: {
            title: plain('Reject this migration?', 100),
            text: plain('Nothing is migrated and the applications are released.', 300),
            confirm: plain('Reject it', 30),
            deny: plain('Keep waiting', 30),
            style: 'danger',
          },
        },
      ],
    },
    context(`Migration \`${request.migrationId}\` · details in the thread`),
  ];
  return {
    text: escapeMrkdwn(
      `Migration "${request.title}" (${request.v2AppId} → ${request.v3AppId}): waiting for a second admin`,
    ),
    blocks,
  };
}

/** The parent after a rejection or an expiry: no buttons left, and why nothing ran. */
export function approvalEndedMessage(
  request: ParentRequest,
  labels: AppLabels,
  approval: ApprovalDecision,
): SlackMessage {
  const headline =
    approval.decision === 'expired'
      ? `:hourglass: ${what(request)} *${escapeMrkdwn(request.title)}* was not approved in time`
      : `:no_entry_sign: ${what(request)} *${escapeMrkdwn(request.title)}* was rejected`;
  return {
    text: escapeMrkdwn(
      `Migration "${request.title}" (${request.v2AppId} → ${request.v3AppId}): ${approval.decision === 'expired' ? 'approval expired' : 'rejected'}; nothing was migrated`,
    ),
    blocks: [
      section(`${headline}\n${routeLines(request, labels)}`),
      section(
        `*${capitalize(approvalNote(approval))}.* Nothing was migrated; the applications are released.`,
        BLOCK.progress,
      ),
      context(`Migration \`${request.migrationId}\``),
    ],
  };
}

/** The thread reply for each decision. */
export function approvalReply(
  request: Pick<MigrationRequest, 'migrationId' | 'requestedBy'>,
  approval: ApprovalDecision,
): SlackMessage {
  const note = capitalize(approvalNote(approval));
  const text =
    approval.decision === 'approved'
      ? `:white_check_mark: ${note}. The migration is queued and starts shortly.`
      : approval.decision === 'rejected' && approval.by === request.requestedBy
        ? `:no_entry_sign: ${note} (withdrawn by the requester). Nothing was migrated; the applications are released.`
        : approval.decision === 'rejected'
          ? `:no_entry_sign: ${note}. Nothing was migrated; the applications are released.`
          : `:hourglass: ${note}. Nothing was migrated; the applications are released. Run \`/migrate\` again to ask anew.`;
  return { text, blocks: [section(text)] };
}

/** The thread's first reply while waiting: who may approve. */
export function approvalRequestedReply(
  request: Pick<MigrationRequest, 'requestedBy' | 'environment' | 'mode'>,
  dueAt: number,
): SlackMessage {
  const text = `:raised_hand: ${request.mode === 'only_failed' ? 'Retry' : 'Migration'} requested by <@${request.requestedBy}> in *${request.environment}*: waiting for a second admin to press *Approve* on the message above (until ${utcTime(dueAt)}).`;
  return { text, blocks: [section(text)] };
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The final summary names who approved the run (when it needed a second admin). */
export function withApprovalNote<M extends { text: string; blocks: unknown[] }>(
  ref: Pick<MigrationRequest, 'approval'>,
  event: { type: string },
  message: M,
): M {
  if (!ref.approval || (event.type !== 'finished' && event.type !== 'failed')) return message;
  const note = capitalize(approvalNote(ref.approval));
  return { ...message, text: `${message.text} (${note})`, blocks: [...message.blocks, context(note)] };
}
