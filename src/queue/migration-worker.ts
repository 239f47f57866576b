import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DelayedError, Worker } from 'bullmq';
import type { AppsRegistry } from '../config/apps-registry.js';
import { assertTimings, PRODUCTION_TIMINGS, runCommandTimeoutMs } from '../config/timings.js';
import { createLeaseManager } from '../coordination/lease.js';
import { createRateBudget, NYLAS_MIGRATION_RATE_PER_SECOND } from '../coordination/rate-budget.js';
import { duplicateWithCommandTimeout, type RedisConnection } from '../coordination/redis-connections.js';
import type { Notifier, ReportFallback } from '../migration/notifier.js';
import { type AdminCheck, DEFAULT_RUN_SETTINGS, type RunSettings } from '../migration/ports.js';
import { migrationRequestSchema } from '../migration/request.js';
import type { NylasClientFactory } from '../nylas/client-factory.js';
import type { Metrics } from '../observability/metrics.js';
import { logDropped } from '../shared/best-effort.js';
import type { Logger } from '../shared/logger.js';
import { createMigrationRecords } from '../store/migration-records.js';
import { createMigrationJobRunner } from './migration-job.js';
import { MIGRATION_QUEUE, type MigrationJobData, migrationJobKeyPrefix } from './migration-queue.js';
import { createReportWorker } from './report-worker.js';

export interface MigrationWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking reads. */
  redis: RedisConnection;
  prefix: string;
  registry: AppsRegistry;
  nylas: NylasClientFactory;
  notifier: Notifier;
  /** Where a report goes when its thread refuses it for good (the requester's DM); unset: nowhere. */
  reportFallback?: ReportFallback;
  verifyAdmin: AdminCheck;
  logger: Logger;
  settings?: Partial<RunSettings>;
  /** Migrations run at once by this process (each is mostly waiting on Nylas). */
  concurrency?: number;
  /** Migration-API requests per second per v3 app, shared by every worker. */
  ratePerSecond?: number;
  /**
   * Lease lifetime. Must exceed the HTTP timeout (plus the renewal interval): a successor takes over only
   * after the lease expired, when no request of the old worker can still be in flight.
   */
  leaseTtlMs?: number;
  /** The HTTP timeout the Nylas clients use; checked against the lease. */
  httpTimeoutMs: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** On shutdown, how long in-flight accounts may take to finish before they are abandoned. */
  drainTimeoutMs?: number;
  /** First delay before an owed report is tried again (then doubling). */
  reportRetryMs?: number;
  workerId?: string;
  /** Start taking jobs at once (default) or wait for `run()`. */
  autorun?: boolean;
  /** Counters for Prometheus (accounts, leases, the rate budget); none when unset. */
  metrics?: Metrics;
  /** Told (never awaited) when a run's recorded status changed (the App Home refreshes on it). */
  onStateChange?: (migrationId: string) => void;
}

/**
 * A BullMQ worker that runs migrations. Per job: parse the data, take the v2 app's lease (waiting for a
 * crashed predecessor's lease to expire), run or resume the migration with every write fenced by that
 * lease, then record the outcome and release the app reservations.
 */
export function createMigrationWorker(options: MigrationWorkerOptions) {
  const { redis, prefix, logger, metrics } = options;
  const leaseTtlMs = options.leaseTtlMs ?? PRODUCTION_TIMINGS.leaseTtlMs;
  const drainTimeoutMs = options.drainTimeoutMs ?? PRODUCTION_TIMINGS.drainTimeoutMs;
  assertTimings({
    httpTimeoutMs: options.httpTimeoutMs,
    leaseTtlMs,
    drainTimeoutMs,
    shutdownLimitMs: PRODUCTION_TIMINGS.shutdownLimitMs,
  });
  const settings: RunSettings = {
    ...DEFAULT_RUN_SETTINGS,
    reportDir: join(tmpdir(), 'migrate-bot-reports'),
    ...options.settings,
  };
  const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
  // The run's own Redis traffic (records, leases, rate budget) goes over a connection of its own with a
  // command timeout: a command lost in a disconnect then fails the attempt (which resumes) instead of
  // hanging the run for ever. BullMQ keeps `redis`, whose blocking reads must not time out.
  const runRedis = duplicateWithCommandTimeout(redis, runCommandTimeoutMs(leaseTtlMs));
  runRedis.on('error', (error) => logger.warn('redis connection error (run)', { error }));
  const records = createMigrationRecords(runRedis, prefix, migrationJobKeyPrefix(prefix));
  const leases = createLeaseManager(runRedis, { keyPrefix: prefix, ttlMs: leaseTtlMs });
  const budget = createRateBudget(runRedis, {
    keyPrefix: prefix,
    ratePerSecond: options.ratePerSecond ?? NYLAS_MIGRATION_RATE_PER_SECOND,
    onSlotDiscarded: () => metrics?.rateBudgetDiscarded.inc(),
  });
  const drain = new AbortController();
  const hardStop = new AbortController();
  const reports = createReportWorker({
    connection: redis,
    redis: runRedis,
    prefix,
    records,
    notifier: options.notifier,
    fallback: options.reportFallback,
    reportDir: settings.reportDir,
    logger,
    firstRetryMs: options.reportRetryMs ?? 30_000,
    autorun: options.autorun ?? true,
  });

  const jobs = createMigrationJobRunner({
    runRedis,
    prefix,
    records,
    leases,
    budget,
    registry: options.registry,
    nylas: options.nylas,
    notifier: options.notifier,
    verifyAdmin: options.verifyAdmin,
    httpTimeoutMs: options.httpTimeoutMs,
    leaseTtlMs,
    settings,
    workerId,
    oweReport: reports.owe,
    drainSignal: drain.signal,
    hardStopSignal: hardStop.signal,
    logger,
    metrics,
    onStateChange: options.onStateChange,
  });

  const worker = new Worker<MigrationJobData>(MIGRATION_QUEUE, jobs.processJob, {
    connection: redis,
    prefix,
    concurrency: options.concurrency ?? 4,
    lockDuration: options.lockDurationMs ?? 15_000,
    stalledInterval: options.stalledIntervalMs ?? 10_000,
    // A migration must survive repeated crashes; each redelivery resumes it.
    maxStalledCount: 20,
    autorun: options.autorun ?? true,
  });
  worker.on('failed', (job, error) => {
    if (error instanceof DelayedError) return;
    logger.error('migration job failed', { migrationId: job?.id, attemptsMade: job?.attemptsMade, error });
    // A job that stalled too often is failed by BullMQ without running our code: end its run too.
    const parsed = migrationRequestSchema.safeParse(job?.data);
    if (parsed.success && /stalled more than allowable limit/.test(error.message)) {
      void jobs.abandon(parsed.data, 'the run was interrupted too many times (workers kept stopping)');
    }
  });
  worker.on('error', (error) => logger.error('worker error', { error }));

  return {
    worker,
    workerId,
    /** The records the runs write (over the run connection); read by the worker role's metrics too. */
    records,
    reports,
    ready: () => Promise.all([worker.waitUntilReady(), reports.worker.waitUntilReady()]),
    /**
     * Graceful stop: take no new jobs, let in-flight accounts finish (up to `drainTimeoutMs`), hand
     * unfinished runs back to the queue, release leases.
     */
    async close(): Promise<void> {
      drain.abort(new Error('worker shutting down'));
      const closing = worker.close();
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), drainTimeoutMs).unref(),
      );
      if ((await Promise.race([closing, timeout])) === 'timeout') {
        logger.warn('drain timed out; abandoning in-flight requests');
        hardStop.abort(new Error('drain timed out'));
        await closing;
      }
      await reports.close();
      await runRedis
        .quit()
        .catch(logDropped(logger, 'debug', 'closing the run connection failed; it is gone either way'));
    },
  };
}

export type MigrationWorker = ReturnType<typeof createMigrationWorker>;
