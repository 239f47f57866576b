import { Queue, type QueueOptions } from 'bullmq';
import type { RedisConnection } from '../coordination/redis-connections.js';
import type { MigrationRequest } from '../migration/request.js';

export const MIGRATION_QUEUE = 'migrations';
export const MIGRATION_JOB = 'migrate';

/** Finished jobs leave Redis (our own records keep status and results); failed ones stay a week to inspect. */
export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 60 * 60, count: 1000 },
  removeOnFail: { age: 7 * 24 * 60 * 60, count: 1000 },
} as const;

/** Unexpected failures (Redis gone mid-run, a crash) are retried; the run resumes where it stopped. */
export const JOB_ATTEMPTS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
} as const;

export type MigrationJobData = MigrationRequest;

/**
 * Where BullMQ keeps the migration queue's jobs: one hash per job under `${prefix}:${queue}:${jobId}`
 * (the job id is the migration id). The records check a reservation's job there.
 */
export const migrationJobKeyPrefix = (prefix: string) => `${prefix}:${MIGRATION_QUEUE}:`;
export type MigrationQueue = Queue<MigrationJobData, unknown, typeof MIGRATION_JOB>;

export function createMigrationQueue(
  connection: RedisConnection,
  prefix: string,
  options: Partial<QueueOptions> = {},
): MigrationQueue {
  return new Queue<MigrationJobData, unknown, typeof MIGRATION_JOB>(MIGRATION_QUEUE, {
    connection,
    prefix,
    ...options,
  });
}

/**
 * Adds the run's job. The migration id is the job id, so adding it twice (a retried request, a double
 * click that got past the reservation) still makes one job. Job data holds ids and choices only.
 */
export type JobAttempts = {
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number; jitter?: number };
};

export async function enqueueMigration(
  queue: MigrationQueue,
  request: MigrationRequest,
  attempts: JobAttempts = JOB_ATTEMPTS,
): Promise<void> {
  await queue.add(MIGRATION_JOB, request, { jobId: request.migrationId, ...JOB_RETENTION, ...attempts });
}
