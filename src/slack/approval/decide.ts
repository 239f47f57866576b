import type { WebClient } from '@slack/web-api';
import type { AppsRegistry } from '../../config/apps-registry.js';
import type { MigrationRequest } from '../../migration/request.js';
import { logDropped } from '../../shared/best-effort.js';
import type { Logger } from '../../shared/logger.js';
import type { ApprovalRecords, DecideResult } from '../../store/approval-records.js';
import type { ApprovalDecision, MigrationRecords } from '../../store/migration-records.js';
import { audit } from '../audit.js';
import { approvalEndedMessage, approvalReply } from '../views/approval-messages.js';
import { appLabels, parentMessage } from '../views/parent-message.js';
import { section } from '../views/text.js';

export interface DecisionDeps {
  approvals: ApprovalRecords;
  records: MigrationRecords;
  registry: AppsRegistry;
  client: Pick<WebClient, 'chat'>;
  logger: Logger;
  /** Adds the migration job (an approval only); a job id equal to the migration id keeps it to one. */
  enqueue?: (request: MigrationRequest) => Promise<void>;
  isQueued?: (migrationId: string) => Promise<boolean>;
  /** The run changed state (the App Home refreshes); never throws. */
  onStateChange?: ((migrationId: string) => void) | undefined;
}

/**
 * Carries out a decision on a run awaiting approval. The transition in Redis is atomic and only its
 * winner goes on: it writes the audit line, tells the thread, edits the parent and, for an approval,
 * enqueues the job (into the same thread). Every other caller gets the reason it lost and does nothing.
 */
export async function applyDecision(
  deps: DecisionDeps,
  request: MigrationRequest,
  approval: ApprovalDecision,
  team: string | undefined,
): Promise<DecideResult> {
  const { migrationId } = request;
  const result = await deps.approvals.decide(request, approval);
  if (!result.ok) return result;
  deps.onStateChange?.(migrationId);
  audit(deps.logger, {
    who: approval.by ?? 'expiry',
    team,
    what:
      approval.decision === 'approved'
        ? 'button.approve'
        : approval.decision === 'rejected'
          ? 'button.reject'
          : 'approval.expire',
    outcome: 'allowed',
    reason: approval.decision,
    migrationId,
  });
  const thread = request.slack;
  const labels = appLabels(deps.registry, request);
  // The thread reply and the parent edit differ only in the method and where the message goes.
  const send = async (
    where: 'reply' | 'parent',
    message: { text: string; blocks: unknown[] },
    dropped: string,
  ) => {
    if (!thread?.threadTs) return;
    const content = { channel: thread.channel, text: message.text, blocks: message.blocks as never };
    await (where === 'reply'
      ? deps.client.chat.postMessage({ ...content, thread_ts: thread.threadTs })
      : deps.client.chat.update({ ...content, ts: thread.threadTs })
    ).catch(logDropped(deps.logger, 'warn', dropped, { migrationId }));
  };
  const post = (message: { text: string; blocks: unknown[] }) =>
    send('reply', message, 'approval decision not posted in the thread');
  const editParent = (message: { text: string; blocks: unknown[] }) =>
    send('parent', message, 'parent message not updated for the decision');

  if (approval.decision !== 'approved' || !approval.by) {
    await post(approvalReply(request, approval));
    await editParent(approvalEndedMessage(request, labels, approval));
    return result;
  }
  const approved: MigrationRequest = {
    ...request,
    approval: { decision: 'approved', by: approval.by, at: approval.at },
  };
  // Enqueued first: a slow Slack must never leave a queued run without its job (the reservation would
  // be taken over after five minutes, a crash would leave it stuck in 'queued').
  try {
    if (!deps.enqueue) throw new Error('no queue to start the approved migration');
    await deps.enqueue(approved);
  } catch (error) {
    const queued = await deps.isQueued?.(migrationId).catch(
      logDropped(deps.logger, 'warn', 'could not check whether the approved run was queued', {
        migrationId,
      }),
    );
    if (!queued) {
      // Approved but not started: end it in the open rather than leave the apps held by a run with no job.
      deps.logger.error('could not queue the approved migration', { migrationId, error });
      const reason = 'approved, but it could not be queued (Redis did not answer); run /migrate again';
      await deps.records
        .setStatus(migrationId, 'failed', { reason, finishedAt: String(Date.now()) })
        .then(() => deps.records.release(request))
        .catch(
          logDropped(deps.logger, 'warn', 'unqueued approved run not ended; it lapses on its own', {
            migrationId,
          }),
        );
      await post(approvalReply(request, approval));
      const text = `:x: The migration was ${reason}.`;
      await post({ text, blocks: [section(text)] });
      await editParent(parentMessage(approved, labels, { kind: 'failed', reason }));
      return result;
    }
  }
  await post(approvalReply(request, approval));
  // Once the worker has started, its notifier owns the parent: a late "starting" must not overwrite
  // its progress, so the parent is edited only while the run is still waiting in the queue.
  const current = await deps.records.get(migrationId).catch(
    logDropped(deps.logger, 'warn', 'could not read the approved run before the parent edit', {
      migrationId,
    }),
  );
  if (current?.status === 'queued') await editParent(parentMessage(approved, labels, { kind: 'starting' }));
  return result;
}
