import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ApprovalDecision, MigrationRecord } from '../../../store/migration-records.js';
import { applyDecision, type DecisionDeps } from '../../approval/decide.js';
import { audit } from '../../audit.js';
import type { BotDeps } from '../../bot-deps.js';
import { ACTION } from '../../ids.js';
import { approvalNote, utcTime } from '../../views/approval-text.js';
import { readButtonRequest } from './button-request.js';

type Decision = Extract<ApprovalDecision['decision'], 'approved' | 'rejected'>;

/**
 * Approve and Reject on a run awaiting a second admin. The button carries only a migration id: who may
 * decide and whether the run still waits come from Redis. Refused: a non-admin (readButtonRequest), an
 * unknown run, another workspace's run, a run not waiting, the requester approving their own run (they
 * may Reject it: that withdraws it). Every refusal is told to the clicker and audited.
 */
export function registerApprovalActions(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.approve, (args) => decide(deps, args, 'approved'));
  app.action<BlockAction<ButtonAction>>(ACTION.reject, (args) => decide(deps, args, 'rejected'));
}

async function decide(
  deps: BotDeps,
  { ack, body, action }: { ack: () => Promise<void>; body: BlockAction<ButtonAction>; action: ButtonAction },
  decision: Decision,
): Promise<void> {
  await ack();
  const what = decision === 'approved' ? 'button.approve' : 'button.reject';
  const button = await readButtonRequest(deps, {
    body,
    action,
    what,
    verb: decision === 'approved' ? 'approve' : 'reject',
  });
  if (!button.ok) return;
  const { migrationId, userId, tell } = button;
  const team = body.team?.id ?? undefined;
  const refuse = async (reason: string, text: string) => {
    audit(deps.logger, { who: userId, team, what, outcome: 'refused', reason, migrationId });
    await tell(text);
  };
  const gate = deps.approval;
  if (!gate) return refuse('approval_off', 'Approvals are not handled by this bot.');

  let record: MigrationRecord | undefined;
  try {
    record = await deps.records.get(migrationId);
  } catch (error) {
    deps.logger.error('could not read the migration to decide on it', { migrationId, error });
    return tell('Migration records are unavailable right now (Redis does not answer); try again shortly.');
  }
  if (!record) return refuse('unknown_migration', 'This migration is no longer known; nothing was changed.');
  const request = record.request;
  if (request.teamId && team !== request.teamId)
    return refuse('wrong_team', 'This migration belongs to another workspace; nothing was changed.');
  if (record.status !== 'awaiting_approval') {
    const already = alreadyDecided(record.approval);
    return refuse(
      'not_waiting',
      `This migration is not waiting for approval (it is ${record.status.replace('_', ' ')}).${already} Nothing was changed.`,
    );
  }
  if (decision === 'approved' && userId === request.requestedBy)
    return refuse(
      'self_approval',
      'You asked for this migration, so another verified admin must approve it. You can withdraw it with Reject.',
    );

  const decisionDeps: DecisionDeps = {
    approvals: gate.records,
    records: deps.records,
    registry: deps.registry,
    client: deps.threadClient,
    logger: deps.logger,
    enqueue: (approved) => deps.producer.enqueue(approved),
    isQueued: (id) => deps.producer.isQueued(id),
    onStateChange: (id) => deps.home?.changed(id),
  };
  try {
    const result = await applyDecision(decisionDeps, request, { decision, by: userId, at: Date.now() }, team);
    if (result.ok) return;
    if (result.code === 'lapsed') {
      // Past its window but not yet expired by the delayed job: expire it now, then say so.
      await applyDecision(decisionDeps, request, { decision: 'expired', at: Date.now() }, team);
      return refuse('lapsed', 'This request waited too long and has expired; nothing was started.');
    }
    const latest = await deps.records.get(migrationId);
    const already = alreadyDecided(latest?.approval);
    return refuse('already_decided', `This migration is not waiting for approval any more.${already}`);
  } catch (error) {
    deps.logger.error('could not record the approval decision', { migrationId, error });
    return tell('Migration records are unavailable right now (Redis does not answer); try again shortly.');
  }
}

/** ` It was already approved by <@U…> at …` — what the record says was decided, if anything. */
function alreadyDecided(approval: ApprovalDecision | undefined): string {
  if (!approval) return '';
  return approval.decision === 'expired'
    ? ` Its request expired at ${utcTime(approval.at)}.`
    : ` It was already ${approvalNote(approval)}.`;
}
