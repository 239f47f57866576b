import type { WebClient } from '@slack/web-api';
import { Worker } from 'bullmq';
import type { AppsRegistry } from '../../config/apps-registry.js';
import type { RedisConnection } from '../../coordination/redis-connections.js';
import { APPROVAL_EXPIRY_QUEUE, type ApprovalExpiryJobData } from '../../queue/approval-expiry-queue.js';
import { logDropped } from '../../shared/best-effort.js';
import type { Logger } from '../../shared/logger.js';
import { createApprovalRecords } from '../../store/approval-records.js';
import type { MigrationRecords } from '../../store/migration-records.js';
import { applyDecision } from './decide.js';

/**
 * The worker role's side of the approval window: when a request's delayed job comes due, it expires the
 * request if it is still waiting (released apps, the thread and parent say so, audited). A request
 * decided meanwhile is left alone: the transition out of awaiting_approval happens once. Should this
 * never run, the reservation still lapses at `approvalDueAt` (migration-records.ts).
 */
export function createApprovalExpiryWorker(deps: {
  /** BullMQ's connection (`maxRetriesPerRequest: null`). */
  connection: RedisConnection;
  /** For the records (a connection with a command timeout). */
  redis: RedisConnection;
  prefix: string;
  records: MigrationRecords;
  registry: AppsRegistry;
  client: Pick<WebClient, 'chat'>;
  logger: Logger;
  autorun?: boolean;
  /** An expired request changed state (the App Home refreshes); never throws. */
  onStateChange?: (migrationId: string) => void;
}) {
  const approvals = createApprovalRecords(deps.redis, deps.prefix);
  const worker = new Worker<ApprovalExpiryJobData>(
    APPROVAL_EXPIRY_QUEUE,
    async (job) => {
      const record = await deps.records.get(job.data.migrationId);
      if (record?.status !== 'awaiting_approval') return { expired: false };
      const result = await applyDecision(
        {
          approvals,
          records: deps.records,
          registry: deps.registry,
          client: deps.client,
          logger: deps.logger,
          onStateChange: deps.onStateChange,
        },
        record.request,
        { decision: 'expired', at: Date.now() },
        record.request.teamId,
      );
      return { expired: result.ok };
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 2, autorun: deps.autorun ?? true },
  );
  worker.on('failed', (job, error) =>
    deps.logger.warn('approval expiry attempt failed', { migrationId: job?.id, error }),
  );
  worker.on('error', (error) => deps.logger.error('approval expiry worker error', { error }));
  return {
    worker,
    ready: () => worker.waitUntilReady(),
    close: () =>
      worker.close().catch(logDropped(deps.logger, 'debug', 'closing the approval expiry worker failed')),
  };
}
