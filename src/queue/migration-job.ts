import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { AppsRegistry } from '../config/apps-registry.js';
import { leaseRenewIntervalMs } from '../config/timings.js';
import { type Lease, LeaseLostError, type LeaseManager } from '../coordination/lease.js';
import type { RateBudget } from '../coordination/rate-budget.js';
import type { RedisConnection } from '../coordination/redis-connections.js';
import { RunInterrupted } from '../migration/failure.js';
import type { Notifier } from '../migration/notifier.js';
import type { AdminCheck, RunNylas, RunSettings, RunStore } from '../migration/ports.js';
import { type MigrationRequest, migrationRequestSchema } from '../migration/request.js';
import { runMigration } from '../migration/runner.js';
import type { NylasClientFactory } from '../nylas/client-factory.js';
import type { Metrics } from '../observability/metrics.js';
import { logDropped } from '../shared/best-effort.js';
import type { Logger } from '../shared/logger.js';
import { FINISHED_STATUSES, type MigrationRecords } from '../store/migration-records.js';
import { createRunReader, createRunStore } from '../store/run-store.js';
import { lacksApproval, UNAPPROVED_REASON } from './approval-guard.js';
import { decideJobFate } from './job-fate.js';
import type { MigrationJobData } from './migration-queue.js';
import { runPlanJob } from './plan-job.js';

/** Thrown to BullMQ when the job data is not a migration request: retrying cannot help. */
const INVALID_JOB = 'invalid migration job data';

export interface MigrationJobDeps {
  /** The run's own connection (with a command timeout), for records, leases and the budget. */
  runRedis: RedisConnection;
  prefix: string;
  records: MigrationRecords;
  leases: LeaseManager;
  budget: RateBudget;
  registry: AppsRegistry;
  nylas: NylasClientFactory;
  notifier: Notifier;
  verifyAdmin: AdminCheck;
  httpTimeoutMs: number;
  leaseTtlMs: number;
  settings: RunSettings;
  workerId: string;
  /** Hands a report the run could not upload to the reports queue (retried there, by any worker). */
  oweReport: (migrationId: string) => Promise<void>;
  /** Aborted when the worker starts shutting down (a deploy): runs hand their jobs back. */
  drainSignal: AbortSignal;
  /** Aborted when the drain timed out: in-flight requests are abandoned. */
  hardStopSignal: AbortSignal;
  logger: Logger;
  metrics?: Metrics | undefined;
  /** Told (never awaited) when a run's recorded status changed: started, finished, abandoned. */
  onStateChange?: ((migrationId: string) => void) | undefined;
}

/**
 * Running one migration job, apart from BullMQ's wiring (migration-worker.ts): parse the data, take the
 * v2 app's lease (waiting for a crashed predecessor's lease to expire), run or resume the migration with
 * every write fenced by that lease, record the outcome and release the app reservations — or, when the
 * run throws, carry out the fate `decideJobFate` gives it.
 */
export function createMigrationJobRunner(deps: MigrationJobDeps) {
  const { runRedis, prefix, records, leases, budget, logger, metrics, leaseTtlMs, settings, workerId } = deps;

  /**
   * Ends a run that cannot go on (no attempt left): records it failed, frees its apps, and says so in its
   * thread with the reason, so an admin can look and press Retry failed. Only when no other worker holds
   * the run's lease (`ownToken`: ours, which we are about to give up). Never throws.
   */
  async function abandon(request: MigrationRequest, reason: string, ownToken?: number): Promise<void> {
    try {
      // A plan takes no lease: the app's lease, if held, is a real run's, not a sign the plan goes on.
      const holder = request.mode === 'plan' ? null : await leases.inspect(`v2:${request.v2AppId}`);
      if (holder && holder.token !== ownToken) return; // someone is still running it
      const record = await records.get(request.migrationId);
      if (!record || FINISHED_STATUSES.includes(record.status)) return;
      await records.setStatus(request.migrationId, 'failed', { reason, finishedAt: String(Date.now()) });
      if (request.mode === 'plan') {
        // A plan holds no reservation, and its thread ends as a plan does: no Retry failed button.
        deps.onStateChange?.(request.migrationId);
        await deps.notifier
          .plan?.(request, { kind: 'failed', reason })
          .catch(logDropped(logger, 'warn', 'could not tell the thread about the abandoned plan'));
        return;
      }
      await records.release(request);
      deps.onStateChange?.(request.migrationId);
      await deps.notifier
        .event(request, { type: 'failed', step: record.progress?.step ?? 'preflight', reason })
        .catch((error: unknown) =>
          logger.warn('could not tell the thread about the abandoned run', { error }),
        );
    } catch (error) {
      logger.error('could not end an abandoned run', { migrationId: request.migrationId, error });
    }
  }

  /** Ends a run that arrived without its approval: failed, apps freed, and said in its thread. */
  async function refuseUnapproved(request: MigrationRequest): Promise<void> {
    try {
      await records.setStatus(request.migrationId, 'failed', {
        reason: UNAPPROVED_REASON,
        finishedAt: String(Date.now()),
      });
      await records.release(request);
      await deps.notifier.event(request, { type: 'failed', step: 'preflight', reason: UNAPPROVED_REASON });
    } catch (error) {
      logger.error('could not end an unapproved run', { migrationId: request.migrationId, error });
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
    // A plan reads only: no lease, no reservation (plan-job.ts).
    if (request.mode === 'plan') return runPlanJob(deps, job, request);

    let lease: Lease | null;
    try {
      lease = await leases.waitAcquire(`v2:${request.v2AppId}`, workerId, { signal: deps.drainSignal });
    } catch (error) {
      if (deps.drainSignal.aborted) return await handBack(job, token, 1_000); // shutting down while waiting
      throw error;
    }
    if (!lease) throw new Error('could not take the migration lease');
    const heldLease = lease;
    metrics?.leaseEvents.inc({ event: 'acquired' });
    const runAbort = new AbortController();
    const onHardStop = () => runAbort.abort(deps.hardStopSignal.reason);
    deps.hardStopSignal.addEventListener('abort', onHardStop);
    const stopRenew = heldLease.startAutoRenew(leaseRenewIntervalMs(leaseTtlMs), (error) => {
      log.warn('lease lost: another worker may own this migration now; stopping', { error });
      runAbort.abort(error);
    });
    // Released at the end unless the fate says requests may still be in flight (then it expires).
    let releaseLease = true;
    try {
      const store = countingResults(
        createRunStore({
          redis: runRedis,
          prefix,
          migrationId: request.migrationId,
          leases,
          lease: heldLease,
        }),
        metrics,
      );
      const latest = await records.get(request.migrationId);
      if (latest && FINISHED_STATUSES.includes(latest.status)) {
        // Delivered again after it finished (a retried job, or a stalled copy of a run that completed
        // meanwhile): make sure its apps are free, and do nothing else.
        await records.release(request);
        log.info('migration already finished; nothing to do', { status: latest.status });
        return { outcome: latest.status };
      }
      // Checked under the lease: a run another worker holds is never touched (approval-guard.ts).
      if (latest && lacksApproval(latest)) {
        log.warn('job refused: the run waited for an approval its record does not show');
        await refuseUnapproved(request);
        return { outcome: 'failed' };
      }
      await store.markRunning();
      deps.onStateChange?.(request.migrationId);
      const v2App = deps.registry.v2(request.v2AppId);
      const v3App = deps.registry.v3(request.v3AppId);
      const result = await runMigration({
        request,
        apps: { v2: v2App, v3: v3App },
        nylas:
          v2App && v3App
            ? {
                v2: deps.nylas.v2(v2App),
                v3: deps.nylas.v3(v3App),
                migration: deps.nylas.migration(v3App, async (signal) => {
                  const waitStarted = performance.now();
                  await budget.acquire(v3App.id, signal);
                  metrics?.rateBudgetWait.observe((performance.now() - waitStarted) / 1000);
                  // A request sent now could still be in flight when a successor takes over unless the
                  // lease surely outlives it: a worker that cannot promise that stops instead.
                  if (heldLease.remainingMs() <= deps.httpTimeoutMs)
                    throw new LeaseLostError(heldLease.resource, heldLease.token);
                }),
              }
            : unconfiguredNylas,
        store,
        previous: request.retryOf ? createRunReader(runRedis, prefix, request.retryOf) : undefined,
        notifier: deps.notifier,
        verifyAdmin: deps.verifyAdmin,
        onProgress: async (progress) => {
          await store.saveProgress(progress);
          await job.updateProgress(progress);
          await deps.notifier.progress(request, progress);
        },
        onReportUndelivered: () => deps.oweReport(request.migrationId),
        settings,
        logger: log,
        signal: runAbort.signal,
        drainSignal: deps.drainSignal,
      });
      await store.finalize(
        result.outcome,
        result.summary,
        result.outcome === 'failed' ? result.reason : undefined,
      );
      metrics?.migrationsFinished.inc({ outcome: result.outcome });
      await records.release(request);
      deps.onStateChange?.(request.migrationId);
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
      if (leaseLost) metrics?.leaseEvents.inc({ event: 'lost' });
      const fate = decideJobFate({
        interruptedCleanly: error instanceof RunInterrupted,
        draining: deps.drainSignal.aborted,
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
          metrics?.leaseEvents.inc({ event: 'handed_back' });
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
      deps.hardStopSignal.removeEventListener('abort', onHardStop);
      if (releaseLease)
        await heldLease
          .release()
          .catch(logDropped(log, 'warn', 'could not release the lease; it expires on its own'));
    }
  }

  return { processJob, abandon };
}

/** Stands in when an app is missing from the registry; preflight stops the run before any call. */
const unconfiguredNylas: RunNylas = new Proxy({} as RunNylas, {
  get: () => new Proxy({}, { get: () => () => Promise.reject(new Error('app not configured')) }),
});

/** Counts each recorded outcome by its CSV status as it is written (the report's rows, one by one). */
function countingResults<T extends Pick<RunStore, 'writeResults'>>(
  store: T,
  metrics: Metrics | undefined,
): T {
  if (!metrics) return store;
  return {
    ...store,
    async writeResults(entries) {
      await store.writeResults(entries);
      for (const { result } of entries) metrics.accounts.inc({ status: result.status });
    },
  };
}
