import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppsRegistry } from '../config/apps-registry.js';
import {
  assertTimings,
  leaseRenewIntervalMs,
  PRODUCTION_TIMINGS,
  runCommandTimeoutMs,
} from '../config/timings.js';
import { createLeaseManager, type Lease, LeaseLostError } from '../coordination/lease.js';
import { createRateBudget, NYLAS_MIGRATION_RATE_PER_SECOND } from '../coordination/rate-budget.js';
import { RunInterrupted } from '../migration/failure.js';
import type { Notifier } from '../migration/notifier.js';
import { type MigrationRequest, migrationRequestSchema } from '../migration/request.js';
import {
  type AdminCheck,
  DEFAULT_RUN_SETTINGS,
  type RunNylas,
  type RunSettings,
} from '../migration/run-deps.js';
import { runMigration } from '../migration/runner.js';
import type { NylasClientFactory } from '../nylas/client-factory.js';
import { logDropped } from '../shared/best-effort.js';
import type { Logger } from '../shared/logger.js';
import { createMigrationRecords, FINISHED_STATUSES } from '../store/migration-records.js';
import { createRunReader, createRunStore } from '../store/run-store.js';
import { decideJobFate } from './job-fate.js';
import { MIGRATION_QUEUE, type MigrationJobData, migrationJobKeyPrefix } from './migration-queue.js';
import { createReportCourier } from './report-courier.js';

export interface MigrationWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking reads. */
  redis: Redis;
  prefix: string;
  registry: AppsRegistry;
  nylas: NylasClientFactory;
  notifier: Notifier;
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
  /** How often owed reports are retried. */
  reportRetryMs?: number;
  workerId?: string;
  /** Start taking jobs at once (default) or wait for `run()`. */
  autorun?: boolean;
}

/** Thrown to BullMQ when the job data is not a migration request: retrying cannot help. */
const INVALID_JOB = 'invalid migration job data';

/**
 * A BullMQ worker that runs migrations. Per job: parse the data, take the v2 app's lease (waiting for a
 * crashed predecessor's lease to expire), run or resume the migration with every write fenced by that
 * lease, then record the outcome and release the app reservations.
 */
export function createMigrationWorker(options: MigrationWorkerOptions) {
  const { redis, prefix, logger } = options;
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
  const runRedis = redis.duplicate({ commandTimeout: runCommandTimeoutMs(leaseTtlMs) });
  runRedis.on('error', (error) => logger.warn('redis connection error (run)', { error }));
  const records = createMigrationRecords(runRedis, prefix, migrationJobKeyPrefix(prefix));
  const leases = createLeaseManager(runRedis, { keyPrefix: prefix, ttlMs: leaseTtlMs });
  const budget = createRateBudget(runRedis, {
    keyPrefix: prefix,
    ratePerSecond: options.ratePerSecond ?? NYLAS_MIGRATION_RATE_PER_SECOND,
  });
  const drain = new AbortController();
  const hardStop = new AbortController();
  const reportRetryMs = options.reportRetryMs ?? 30_000;
  const courier = createReportCourier({
    redis: runRedis,
    prefix,
    records,
    notifier: options.notifier,
    reportDir: settings.reportDir,
    logger,
    retryMs: reportRetryMs,
  });

  /**
   * Ends a run that cannot go on (no attempt left): records it failed, frees its apps, and says so in its
   * thread with the reason, so an admin can look and press Retry failed. Only when no other worker holds
   * the run's lease (`ownToken`: ours, which we are about to give up). Never throws.
   */
  async function abandon(request: MigrationRequest, reason: string, ownToken?: number): Promise<void> {
    try {
      const holder = await leases.inspect(`v2:${request.v2AppId}`);
      if (holder && holder.token !== ownToken) return; // someone is still running it
      const record = await records.get(request.migrationId);
      if (!record || FINISHED_STATUSES.includes(record.status)) return;
      await records.setStatus(request.migrationId, 'failed', { reason, finishedAt: String(Date.now()) });
      await records.release(request);
      await options.notifier
        .event(request, { type: 'failed', step: record.progress?.step ?? 'preflight', reason })
        .catch((error: unknown) =>
          logger.warn('could not tell the thread about the abandoned run', { error }),
        );
    } catch (error) {
      logger.error('could not end an abandoned run', { migrationId: request.migrationId, error });
    }
  }

  /**
   * Gives the job back to the queue without using an attempt (shutting down, or a lease with no holder).
   * Always throws BullMQ's DelayedError: callers `await` it, so the rejection is never left unhandled
   * while a `finally` is still releasing the lease.
   */
  async function handBack(
    job: Job<MigrationJobData>,
    token: string | undefined,
    delayMs: number,
  ): Promise<never> {
    if (!token) throw new Error('cannot hand back a job without its lock token');
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  async function processJob(job: Job<MigrationJobData>, token?: string): Promise<{ outcome: string }> {
    const parsed = migrationRequestSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`${INVALID_JOB}: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const request = parsed.data;
    const log = logger.child({ migrationId: request.migrationId, jobAttempt: job.attemptsMade + 1 });
    const before = await records.get(request.migrationId);
    if (!before) {
      // Its records were discarded (the bot undid a start it could not finish) or have expired.
      throw new UnrecoverableError('the migration has no record; nothing to run');
    }

    let lease: Lease | null;
    try {
      lease = await leases.waitAcquire(`v2:${request.v2AppId}`, workerId, { signal: drain.signal });
    } catch (error) {
      if (drain.signal.aborted) return await handBack(job, token, 1_000); // shutting down while waiting
      throw error;
    }
    if (!lease) throw new Error('could not take the migration lease');
    const heldLease = lease;
    const runAbort = new AbortController();
    const onHardStop = () => runAbort.abort(hardStop.signal.reason);
    hardStop.signal.addEventListener('abort', onHardStop);
    const stopRenew = heldLease.startAutoRenew(leaseRenewIntervalMs(leaseTtlMs), (error) => {
      log.warn('lease lost: another worker may own this migration now; stopping', { error });
      runAbort.abort(error);
    });
    // Released at the end unless the fate says requests may still be in flight (then it expires).
    let releaseLease = true;
    try {
      const store = createRunStore({
        redis: runRedis,
        prefix,
        migrationId: request.migrationId,
        leases,
        lease: heldLease,
      });
      const latest = await records.get(request.migrationId);
      if (latest && FINISHED_STATUSES.includes(latest.status)) {
        // Delivered again after it finished (a retried job, or a stalled copy of a run that completed
        // meanwhile): make sure its apps are free, and do nothing else.
        await records.release(request);
        log.info('migration already finished; nothing to do', { status: latest.status });
        return { outcome: latest.status };
      }
      await store.markRunning();
      const v2App = options.registry.v2(request.v2AppId);
      const v3App = options.registry.v3(request.v3AppId);
      const result = await runMigration({
        request,
        apps: { v2: v2App, v3: v3App },
        nylas:
          v2App && v3App
            ? {
                v2: options.nylas.v2(v2App),
                v3: options.nylas.v3(v3App),
                migration: options.nylas.migration(v3App, async (signal) => {
                  await budget.acquire(v3App.id, signal);
                  // A request sent now could still be in flight when a successor takes over unless the
                  // lease surely outlives it: a worker that cannot promise that stops instead.
                  if (heldLease.remainingMs() <= options.httpTimeoutMs)
                    throw new LeaseLostError(heldLease.resource, heldLease.token);
                }),
              }
            : unconfiguredNylas,
        store,
        previous: request.retryOf ? createRunReader(runRedis, prefix, request.retryOf) : undefined,
        notifier: options.notifier,
        verifyAdmin: options.verifyAdmin,
        onProgress: async (progress) => {
          await store.saveProgress(progress);
          await job.updateProgress(progress);
          await options.notifier.progress(request, progress);
        },
        onReportUndelivered: () => records.oweReport(request.migrationId, Date.now() + reportRetryMs),
        settings,
        logger: log,
        signal: runAbort.signal,
        drainSignal: drain.signal,
      });
      await store.finalize(
        result.outcome,
        result.summary,
        result.outcome === 'failed' ? result.reason : undefined,
      );
      await records.release(request);
      log.info('migration finished', { outcome: result.outcome });
      return { outcome: result.outcome };
    } catch (error) {
      const leaseLost =
        error instanceof LeaseLostError
          ? {
              // Unknown (Redis trouble) counts as no holder: the job is retried rather than yielded.
              holder:
                (await leases
                  .inspect(heldLease.resource)
                  .catch(logDropped(log, 'warn', 'holder of the lost lease unknown'))) != null,
            }
          : undefined;
      const fate = decideJobFate({
        interruptedCleanly: error instanceof RunInterrupted,
        draining: drain.signal.aborted,
        leaseLost,
        unrecoverable: error instanceof UnrecoverableError,
        attemptsMade: job.attemptsMade,
        maxAttempts: job.opts.attempts ?? 1,
        leaseTtlMs,
      });
      log.info('migration attempt ended early', { fate: fate.kind, error });
      releaseLease = fate.releaseLease;
      switch (fate.kind) {
        case 'hand_back':
          return await handBack(job, token, fate.delayMs);
        case 'abandon':
          // No attempt is left: end the run in the open rather than leave its apps reserved for ever.
          await abandon(
            request,
            `the run stopped after ${job.attemptsMade + 1} attempts: ${(error as Error).message}`,
            heldLease.token,
          );
          throw error;
        case 'retry':
          throw error;
        case 'yield_to_holder':
          throw error; // another worker runs it now
        default:
          return fate satisfies never;
      }
    } finally {
      stopRenew();
      hardStop.signal.removeEventListener('abort', onHardStop);
      if (releaseLease)
        await heldLease
          .release()
          .catch(logDropped(log, 'warn', 'could not release the lease; it expires on its own'));
    }
  }

  const worker = new Worker<MigrationJobData>(MIGRATION_QUEUE, processJob, {
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
      void abandon(parsed.data, 'the run was interrupted too many times (workers kept stopping)');
    }
  });
  worker.on('error', (error) => logger.error('worker error', { error }));

  const courierTimer = setInterval(() => void courier.deliverDue(), reportRetryMs);
  courierTimer.unref();

  return {
    worker,
    workerId,
    courier,
    ready: () => worker.waitUntilReady(),
    /**
     * Graceful stop: take no new jobs, let in-flight accounts finish (up to `drainTimeoutMs`), hand
     * unfinished runs back to the queue, release leases.
     */
    async close(): Promise<void> {
      clearInterval(courierTimer);
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
      await runRedis
        .quit()
        .catch(logDropped(logger, 'debug', 'closing the run connection failed; it is gone either way'));
    },
  };
}

/** Stands in when an app is missing from the registry; preflight stops the run before any call. */
const unconfiguredNylas: RunNylas = new Proxy({} as RunNylas, {
  get: () => new Proxy({}, { get: () => () => Promise.reject(new Error('app not configured')) }),
});

export type MigrationWorker = ReturnType<typeof createMigrationWorker>;
