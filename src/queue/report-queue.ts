import { Queue } from 'bullmq';
import type { RedisConnection } from '../coordination/redis-connections.js';
import { JOB_RETENTION } from './migration-queue.js';

export const REPORT_QUEUE = 'reports';
export const REPORT_JOB = 'deliver-report';

export interface ReportJobData {
  migrationId: string;
  /** Who asked for a re-upload (`/migrate report`); unset for a report a run could not hand over. */
  requestedBy?: string;
}

export type ReportQueue = Queue<ReportJobData, unknown, typeof REPORT_JOB>;

export function createReportQueue(connection: RedisConnection, prefix: string): ReportQueue {
  return new Queue<ReportJobData, unknown, typeof REPORT_JOB>(REPORT_QUEUE, { connection, prefix });
}

/**
 * Reports not yet delivered (the `migrate_reports_owed` metric): the reports queue's jobs still to run,
 * running, or waiting out a retry's backoff. Re-uploads an admin asked for count too: owed all the same.
 */
export async function countOwedReports(queue: ReportQueue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'delayed', 'active');
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** Slack being down for hours is still delivered: 10 attempts span ~2^10 times the first delay. */
export const reportAttempts = (firstDelayMs: number) => ({
  attempts: 10,
  backoff: { type: 'exponential' as const, delay: firstDelayMs },
});

/**
 * A report a run could not hand over. The job id is the migration id: owing it twice (a retried run
 * that fails its upload again) still makes one delivery.
 */
export async function enqueueOwedReport(queue: ReportQueue, migrationId: string, firstDelayMs: number) {
  await queue.add(
    REPORT_JOB,
    { migrationId },
    { jobId: migrationId, ...JOB_RETENTION, ...reportAttempts(firstDelayMs) },
  );
}

/** A re-upload an admin asked for: its own job id, so it runs even after the report was delivered. */
export async function enqueueReupload(
  queue: ReportQueue,
  migrationId: string,
  requestedBy: string,
  firstDelayMs = 5_000,
) {
  await queue.add(
    REPORT_JOB,
    { migrationId, requestedBy },
    { jobId: `reupload-${migrationId}-${Date.now()}`, ...JOB_RETENTION, ...reportAttempts(firstDelayMs) },
  );
}
