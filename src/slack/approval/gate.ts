import type { WebClient } from '@slack/web-api';
import type { MigrationRequest } from '../../migration/request.js';
import { logDropped } from '../../shared/best-effort.js';
import type { Logger } from '../../shared/logger.js';
import type { ApprovalRecords } from '../../store/approval-records.js';
import { approvalRequestedReply } from '../views/approval-messages.js';

/**
 * The approval step as the bot sees it: which environments need a second admin (MIGRATE_APPROVAL_ENVIRONMENTS),
 * how long a request waits, the atomic transitions in Redis, and the delayed job that ends the wait.
 * Present even when no environment needs approval, so requests made before a change can still be decided.
 */
export interface ApprovalGate {
  environments: readonly string[];
  windowMs: number;
  records: ApprovalRecords;
  scheduleExpiry(migrationId: string, delayMs: number): Promise<void>;
}

export function needsApproval(gate: ApprovalGate | undefined, environment: string): gate is ApprovalGate {
  return gate?.environments.includes(environment) === true;
}

/**
 * Puts a reserved run on hold instead of enqueueing it: awaiting_approval until `dueAt` (its apps stay
 * reserved), with the delayed job that expires it, and a thread reply saying who may approve. Throws
 * when the hold cannot be recorded, like an enqueue that failed (the caller undoes the reservation).
 */
export async function holdForApproval(
  deps: { client: Pick<WebClient, 'chat'>; logger: Logger },
  gate: ApprovalGate,
  request: MigrationRequest,
  dueAt: number,
): Promise<void> {
  const now = Date.now();
  if (!(await gate.records.awaitApproval(request.migrationId, now, dueAt)))
    throw new Error('the reservation is gone; the run cannot wait for approval');
  await gate.scheduleExpiry(request.migrationId, dueAt - now);
  const thread = request.slack;
  if (!thread?.threadTs) return;
  const message = approvalRequestedReply(request, dueAt);
  await deps.client.chat
    .postMessage({
      channel: thread.channel,
      thread_ts: thread.threadTs,
      text: message.text,
      blocks: message.blocks,
    })
    .catch(
      logDropped(deps.logger, 'warn', 'approval request not posted in the thread', {
        migrationId: request.migrationId,
      }),
    );
}
