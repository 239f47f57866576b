import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Job, UnrecoverableError } from 'bullmq';
import type { RedisConnection } from '../coordination/redis-connections.js';
import {
  type MigrationRef,
  type Notifier,
  type ReportFallback,
  type ReportFile,
  ReportUndeliverable,
} from '../migration/notifier.js';
import { writeReport } from '../migration/report.js';
import { reportFilename } from '../migration/steps/finish.js';
import { logDropped } from '../shared/best-effort.js';
import type { Logger } from '../shared/logger.js';
import { RECORD_TTL_MS } from '../store/keys.js';
import type { MigrationRecords } from '../store/migration-records.js';
import { createRunReader } from '../store/run-store.js';
import type { ReportJobData } from './report-queue.js';

export interface ReportDeliveryDeps {
  redis: RedisConnection;
  prefix: string;
  records: MigrationRecords;
  notifier: Notifier;
  /** Unset: a report the thread refuses for good is only logged (no DM to fall back to). */
  fallback?: ReportFallback | undefined;
  reportDir: string;
  logger: Logger;
}

/** Where a delivered job leaves its mark: checked before uploading, set right after. */
const deliveredKey = (prefix: string, jobId: string) => `${prefix}:reports:delivered:${jobId}`;

/**
 * One report job: rebuild the CSV from the run's records in Redis and upload it into the thread. A
 * transient error throws (BullMQ retries with backoff); a permanent one sends the CSV to the requester's
 * DM and says why in the thread (or the DM). Undeliverable — an UnrecoverableError — only when the DM
 * refuses it for good too.
 *
 * A job already delivered (redelivered after a stall, re-added with the same id) uploads nothing. What
 * remains: a crash after Slack accepted the upload but before the mark is set posts the file twice on
 * the retry — Slack gives no idempotency key for uploads, so at most one duplicate, never a lost report.
 */
export function createReportDelivery(deps: ReportDeliveryDeps) {
  const { redis, prefix, records, logger } = deps;

  async function upload(job: Job<ReportJobData>, ref: MigrationRef, file: ReportFile, summary: Summary) {
    try {
      await deps.notifier.uploadReport(ref, file, summary);
      return { to: 'thread' as const };
    } catch (error) {
      if (!(error instanceof ReportUndeliverable)) throw error;
      if (!deps.fallback) throw new UnrecoverableError(`the thread refuses the report: ${error.why}`);
      logger.warn('the thread refuses the report; sending it to the requester', { jobId: job.id, error });
      try {
        await deps.fallback.uploadToRequester(ref, file, summary, error.why);
      } catch (dmError) {
        if (!(dmError instanceof ReportUndeliverable)) throw dmError; // transient: the next attempt tries again
        await deps.fallback
          .explain(ref, undeliverableText(ref.migrationId, error.why, dmError.why))
          .catch(logDropped(logger, 'warn', 'nobody could be told the report is undeliverable'));
        throw new UnrecoverableError(`report undeliverable: ${error.why}; by DM: ${dmError.why}`);
      }
      return { to: 'dm' as const, why: error.why };
    }
  }

  return async function deliver(job: Job<ReportJobData>): Promise<string> {
    const jobId = job.id ?? job.data.migrationId;
    const { migrationId } = job.data;
    if (await redis.exists(deliveredKey(prefix, jobId))) return 'already delivered';
    const record = await records.get(migrationId);
    if (!record) {
      throw new UnrecoverableError('the migration has no record any more; no report to rebuild');
    }
    // The run records its summary just after its upload failed: wait for it (the retry's backoff).
    if (!record.summary) throw new Error('the run has not recorded its summary yet');
    await mkdir(deps.reportDir, { recursive: true });
    const filename = reportFilename(migrationId);
    const path = join(deps.reportDir, `${jobId}-${filename}`);
    try {
      const rows = await writeReport(createRunReader(redis, prefix, migrationId), path);
      const sent = await upload(job, record.request, { path, filename, rows }, record.summary);
      await redis.set(deliveredKey(prefix, jobId), sent.to, 'PX', RECORD_TTL_MS);
      logger.info('report delivered', { migrationId, jobId, to: sent.to, rows });
      if (sent.to === 'dm')
        await deps.fallback
          ?.explain(record.request, inDmText(record.request, sent.why))
          .catch(logDropped(logger, 'warn', 'the thread was not told the report went by DM'));
      return sent.to;
    } finally {
      await rm(path, { force: true });
    }
  };
}

type Summary = NonNullable<Awaited<ReturnType<MigrationRecords['get']>>>['summary'] & object;

const inDmText = (ref: MigrationRef, why: string) =>
  `:warning: The report of migration ${ref.migrationId} could not be uploaded here: ${why}. ` +
  `<@${ref.requestedBy}> got the CSV by direct message; once that is fixed, ` +
  `\`/migrate report ${ref.migrationId}\` uploads it here again.`;

const undeliverableText = (migrationId: string, why: string, dmWhy: string) =>
  `:warning: The report of migration ${migrationId} could not be delivered: here ${why}, ` +
  `and by direct message ${dmWhy}. Once that is fixed, \`/migrate report ${migrationId}\` uploads it again.`;
