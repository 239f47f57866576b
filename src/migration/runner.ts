import { logDropped } from '../shared/best-effort.js';
import { MigrationFailure, RunInterrupted } from './failure.js';
import type { RunDeps } from './ports.js';
import type { MigrationStep } from './progress.js';
import { cloneAccounts } from './steps/cloning.js';
import { createRunContext } from './steps/context.js';
import { finishRun } from './steps/finish.js';
import { listAccounts } from './steps/listing.js';
import { awaitNylasJobs } from './steps/nylas-jobs.js';
import { preflight } from './steps/preflight.js';
import { applySettings, importSettings, inventoryConnectors, linkApps, once } from './steps/setup.js';
import { createRunTracker } from './steps/tracker.js';
import type { MigrationSummary } from './summary.js';

export type RunResult =
  | { outcome: 'completed' | 'cancelled'; summary: MigrationSummary }
  | { outcome: 'failed'; reason: string; step: string; summary?: MigrationSummary };

/**
 * Runs (or resumes) one migration, step by step, each step reported to the notifier:
 * preflight → link → import → settings → connectors → listing → cloning → report → summary.
 * Steps done by an earlier attempt are skipped; accounts with an outcome are not touched again.
 *
 * Expected failures (Nylas refuses, a region mismatch, the requester is no longer an admin) end the
 * run with a reason and resolve; a lost lease or a Redis outage rejects, for the queue to handle.
 */
export async function runMigration(deps: RunDeps): Promise<RunResult> {
  const ctx = createRunContext(deps);
  const { store } = ctx;
  const checkpoint = await store.checkpoint();
  const resumed = checkpoint.startedAt !== undefined;
  if (!resumed) await store.saveCheckpoint({ startedAt: ctx.now() });

  const tracker = createRunTracker({
    counts: await store.counts(),
    total: await store.accountCount(),
    intervalMs: ctx.settings.progressIntervalMs,
    publish: (progress) => ctx.onProgress?.(progress),
    onDropped: logDropped(ctx.logger, 'warn', 'progress update dropped', {
      migrationId: ctx.request.migrationId,
    }),
    cloneCallsBefore: checkpoint.cloneCalls,
    cloneElapsedMsBefore: checkpoint.cloneElapsedMs,
  });

  try {
    if (resumed)
      await ctx.notify({
        type: 'milestone',
        text: 'Resuming after an interruption: finished steps and accounts are not repeated',
      });
    tracker.setStep('preflight');
    const info = await preflight(ctx);
    await ctx.notify({
      type: 'started',
      resumed,
      region: info.region,
      v2AppName: info.v2Name,
      v3AppName: info.v3Name,
    });
    // A Dashboard "Migrate app" (or an import's batch clone) may already be cloning on this v3 app.
    await awaitNylasJobs(ctx, 'preflight', 'started before this run');

    const checkDrain = () => {
      if (ctx.drainSignal?.aborted) throw new RunInterrupted();
    };
    // A cancel that arrives before any change at Nylas stops the setup too: the listing and the report
    // still follow (every account then reads `cancelled`), but the v3 app is left untouched.
    const setupStep = async (step: MigrationStep, work: () => Promise<void>) => {
      checkDrain();
      if (await store.cancelRequested()) return;
      tracker.setStep(step);
      await once(ctx, step, work);
    };
    if (ctx.request.mode === 'only_failed') {
      // Inherited from the run being retried, so a retry of this retry knows the apps are set up.
      const inherited: MigrationStep[] = ['link', 'import', 'settings'];
      const done = (await store.checkpoint()).stepsDone;
      await store.saveCheckpoint({ stepsDone: [...new Set([...done, ...inherited])] });
      // Linked, imported and configured by the run being retried; doing it again could undo what the
      // admin fixed since (connector scopes, a new Azure app). Connectors are read again, read-only.
      await ctx.notify({
        type: 'milestone',
        text: `Retrying only the accounts that failed or were cancelled in ${ctx.request.retryOf}: links, settings and connectors are left as they are`,
      });
    } else {
      await setupStep('link', () => linkApps(ctx, info.alreadyLinked));
      await setupStep('import', () => importSettings(ctx, info.alreadyLinked));
      // Not part of the checkpointed step: a resumed attempt must wait for the import's jobs too.
      if (!(await store.cancelRequested())) await awaitNylasJobs(ctx, 'import', 'started by the import');
      await setupStep('settings', () => applySettings(ctx));
    }
    await setupStep('connectors', () => inventoryConnectors(ctx, info.region));
    checkDrain();

    tracker.setStep('listing');
    const total = await listAccounts(ctx);
    checkDrain();
    tracker.setStep('cloning', total);
    const stop = await cloneAccounts(ctx, tracker);
    await store.saveCheckpoint({
      cloneCalls: tracker.cloneCalls(),
      cloneElapsedMs: tracker.cloneElapsedMs(),
    });

    tracker.setStep('report');
    await tracker.flush();
    // No progress after this point: the final summary is the last word on the parent message.
    await tracker.stop();
    const outcome =
      stop?.kind === 'failed' ? 'failed' : stop?.kind === 'cancelled' ? 'cancelled' : 'completed';
    const summary = await finishRun(ctx, tracker, outcome, stop?.reason);
    return outcome === 'failed'
      ? { outcome, reason: stop?.reason ?? 'the run failed', step: 'cloning', summary }
      : { outcome, summary };
  } catch (error) {
    if (!(error instanceof MigrationFailure)) throw error;
    await tracker.stop();
    ctx.logger.warn('migration failed', {
      migrationId: ctx.request.migrationId,
      step: error.step,
      reason: error.reason,
    });
    await ctx.notify({ type: 'failed', step: error.step, reason: error.reason });
    return { outcome: 'failed', reason: error.reason, step: error.step };
  } finally {
    await tracker.stop();
  }
}
