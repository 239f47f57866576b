import { Worker } from 'bullmq';
import type { RedisConnection } from '../coordination/redis-connections.js';
import { logDropped } from '../shared/best-effort.js';
import { createReportDelivery, type ReportDeliveryDeps } from './report-delivery.js';
import { createReportQueue, enqueueOwedReport, REPORT_QUEUE, type ReportJobData } from './report-queue.js';

/**
 * The `reports` queue's worker, in the worker role: delivers reports a run could not hand over and the
 * re-uploads admins ask for, with BullMQ's attempts and exponential backoff (any worker, including one
 * started after a crash, picks them up).
 */
export function createReportWorker(
  deps: ReportDeliveryDeps & {
    /** BullMQ's connection (`maxRetriesPerRequest: null`); `redis` is the run's, for records. */
    connection: RedisConnection;
    firstRetryMs: number;
    autorun: boolean;
  },
) {
  const { logger } = deps;
  const queue = createReportQueue(deps.connection, deps.prefix);
  const worker = new Worker<ReportJobData>(REPORT_QUEUE, createReportDelivery(deps), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: 2,
    autorun: deps.autorun,
  });
  worker.on('failed', (job, error) =>
    logger.warn('report delivery attempt failed', {
      jobId: job?.id,
      attemptsMade: job?.attemptsMade,
      willRetry: job ? job.attemptsMade < (job.opts.attempts ?? 1) : false,
      error,
    }),
  );
  worker.on('error', (error) => logger.error('report worker error', { error }));

  return {
    queue,
    worker,
    /** Queues the delivery of a report a run could not hand over (the queue is what the metric counts). */
    async owe(migrationId: string): Promise<void> {
      await enqueueOwedReport(queue, migrationId, deps.firstRetryMs);
    },
    async close(): Promise<void> {
      await worker.close();
      await queue.close().catch(logDropped(logger, 'debug', 'closing the reports queue failed'));
    },
  };
}
