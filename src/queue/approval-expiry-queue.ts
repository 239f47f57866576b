import { Queue } from 'bullmq';
import type { RedisConnection } from '../coordination/redis-connections.js';
import { JOB_RETENTION } from './migration-queue.js';

export const APPROVAL_EXPIRY_QUEUE = 'approval-expiry';
export const APPROVAL_EXPIRY_JOB = 'expire-approval';

/** How long a migration waits for a second admin before its request lapses and its apps are freed. */
export const DEFAULT_APPROVAL_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ApprovalExpiryJobData {
  migrationId: string;
}

export type ApprovalExpiryQueue = Queue<ApprovalExpiryJobData, unknown, typeof APPROVAL_EXPIRY_JOB>;

export function createApprovalExpiryQueue(connection: RedisConnection, prefix: string): ApprovalExpiryQueue {
  return new Queue<ApprovalExpiryJobData, unknown, typeof APPROVAL_EXPIRY_JOB>(APPROVAL_EXPIRY_QUEUE, {
    connection,
    prefix,
  });
}

/**
 * Schedules the end of a request's approval window. The job id is the migration id: scheduling twice
 * makes one job. It only expires a request still waiting (the decision is atomic in Redis), so a job
 * left behind after an approval does nothing.
 */
export async function scheduleApprovalExpiry(
  queue: ApprovalExpiryQueue,
  migrationId: string,
  delayMs: number,
): Promise<void> {
  await queue.add(
    APPROVAL_EXPIRY_JOB,
    { migrationId },
    {
      jobId: migrationId,
      delay: Math.max(0, delayMs),
      ...JOB_RETENTION,
      attempts: 10,
      backoff: { type: 'exponential', delay: 5_000 },
    },
  );
}
