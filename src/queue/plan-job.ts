import type { Job } from 'bullmq';
import type { V2App, V3App } from '../config/apps-registry.js';
import { NYLAS_MIGRATION_RATE_PER_SECOND, type RateBudget } from '../coordination/rate-budget.js';
import { type PlanNylas, runPlan } from '../migration/plan/run-plan.js';
import type { MigrationRequest } from '../migration/request.js';
import type { V2Client } from '../nylas/v2-client.js';
import type { V3Client } from '../nylas/v3-client.js';
import { logDropped } from '../shared/best-effort.js';
import { FINISHED_STATUSES } from '../store/migration-records.js';
import type { MigrationJobDeps } from './migration-job.js';
import type { MigrationJobData } from './migration-queue.js';

type Gate = (signal?: AbortSignal) => Promise<void>;

/**
 * The plan's read clients: every call first takes its turn in the v3 app's shared rate budget, as the
 * real run's migration calls do, so a plan next to a running migration slows it a little and never
 * pushes the app over Nylas's limit. Only read methods exist here.
 */
export function gatedPlanClients(v2: V2Client, v3: V3Client, gate: Gate): PlanNylas {
  return {
    v2: {
      getApplication: async (signal) => {
        await gate(signal);
        return v2.getApplication(signal);
      },
      listWebhooks: async (signal) => {
        await gate(signal);
        return v2.listWebhooks(signal);
      },
      async *accountPages(options = {}) {
        const pages = v2.accountPages(options);
        for (;;) {
          await gate(options.signal);
          const next = await pages.next();
          if (next.done) return;
          yield next.value;
        }
      },
    },
    v3: {
      getApplication: async (signal) => {
        await gate(signal);
        return v3.getApplication(signal);
      },
      listConnectors: async (signal) => {
        await gate(signal);
        return v3.listConnectors(signal);
      },
      listGrants: async (query, signal) => {
        await gate(signal);
        return v3.listGrants(query, signal);
      },
    },
  };
}

/** Stands in when an app is missing from the registry; the preflight stops the plan before any call. */
const unconfigured: PlanNylas = new Proxy({} as PlanNylas, {
  get: () => new Proxy({}, { get: () => () => Promise.reject(new Error('app not configured')) }),
});

/**
 * One plan job (a request with mode `plan`): no lease and no reservation — a plan changes nothing, so it
 * never blocks a real migration of the same apps — its reads under the shared rate budget, the
 * worker's admin check (in the preflight), Cancel honoured between steps and pages.
 */
export async function runPlanJob(
  deps: Pick<
    MigrationJobDeps,
    'records' | 'registry' | 'nylas' | 'notifier' | 'verifyAdmin' | 'settings' | 'logger' | 'hardStopSignal'
  > & { budget: RateBudget },
  job: Job<MigrationJobData>,
  request: MigrationRequest,
): Promise<{ outcome: string }> {
  const { records } = deps;
  const log = deps.logger.child({ migrationId: request.migrationId, plan: true });
  const latest = await records.get(request.migrationId);
  if (latest && FINISHED_STATUSES.includes(latest.status)) return { outcome: latest.status };
  await records.setStatus(request.migrationId, 'running', { startedAt: String(Date.now()) });
  const v2App: V2App | undefined = deps.registry.v2(request.v2AppId);
  const v3App: V3App | undefined = deps.registry.v3(request.v3AppId);
  const gate: Gate = (signal) => deps.budget.acquire(v3App?.id ?? request.v3AppId, signal);
  try {
    const outcome = await runPlan({
      request,
      apps: { v2: v2App, v3: v3App },
      nylas:
        v2App && v3App ? gatedPlanClients(deps.nylas.v2(v2App), deps.nylas.v3(v3App), gate) : unconfigured,
      notifier: deps.notifier,
      verifyAdmin: deps.verifyAdmin,
      cancelRequested: async () => (await records.get(request.migrationId))?.cancelRequestedBy,
      // Nylas's own limit, which production's budget enforces (tests run their budget faster).
      ratePerSecond: NYLAS_MIGRATION_RATE_PER_SECOND,
      reportDir: deps.settings.reportDir,
      logger: log,
      signal: deps.hardStopSignal,
    });
    const status =
      outcome.kind === 'planned' ? 'completed' : outcome.kind === 'cancelled' ? 'cancelled' : 'failed';
    await records.setStatus(request.migrationId, status, {
      finishedAt: String(Date.now()),
      ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
    });
    log.info('plan finished', { outcome: outcome.kind });
    return { outcome: status };
  } catch (error) {
    // Unexpected (Nylas unreachable after retries, Redis): BullMQ tries again; the last attempt says so.
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      const reason = `the plan stopped: ${(error as Error).message}`;
      await records
        .setStatus(request.migrationId, 'failed', { finishedAt: String(Date.now()), reason })
        .catch(logDropped(log, 'warn', 'failed plan not recorded'));
      await deps.notifier
        .plan?.(request, { kind: 'failed', reason })
        .catch(logDropped(log, 'warn', 'failed plan not told in its thread'));
    }
    throw error;
  }
}
