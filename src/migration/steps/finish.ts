import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { followUpChecklist } from '../checklist.js';
import { writeReport } from '../report.js';
import { createSummaryAccumulator, type MigrationSummary, type RunOutcome } from '../summary.js';
import type { RunContext } from './context.js';
import type { RunTracker } from './tracker.js';

/** File name of a run's report, as uploaded to the thread. */
export function reportFilename(migrationId: string): string {
  return `migration-report-${migrationId}.csv`;
}

/**
 * Writes the CSV report from the run's records (one streaming pass that also builds the summary),
 * hands it to the notifier, and posts the summary. An undelivered report is owed, not lost.
 */
export async function finishRun(
  ctx: RunContext,
  tracker: RunTracker,
  outcome: RunOutcome,
  reason?: string,
): Promise<MigrationSummary> {
  const checkpoint = await ctx.store.checkpoint();
  const accumulator = createSummaryAccumulator();
  await mkdir(ctx.settings.reportDir, { recursive: true });
  const path = join(ctx.settings.reportDir, reportFilename(ctx.request.migrationId));
  const rows = await writeReport(ctx.store, path, accumulator.add);
  const folded = accumulator.result();
  const summary: MigrationSummary = {
    migrationId: ctx.request.migrationId,
    v2AppId: ctx.request.v2AppId,
    v3AppId: ctx.request.v3AppId,
    title: ctx.request.title,
    environment: ctx.request.environment,
    mode: ctx.request.mode,
    outcome,
    reason,
    ...folded,
    durationMs: ctx.now() - (checkpoint.startedAt ?? ctx.now()),
    cloneCalls: tracker.cloneCalls(),
    cloneRate: tracker.cloneRate(),
    checklist: followUpChecklist({
      connectors: checkpoint.connectors ?? [],
      accountsByFamily: folded.byFamily,
      reauthenticateCount: folded.reauthenticateTotal,
    }),
  };

  try {
    await ctx.notifier.uploadReport(
      ctx.ref,
      { path, filename: reportFilename(ctx.request.migrationId), rows },
      summary,
    );
  } catch (error) {
    ctx.logger.warn('report not delivered; it stays owed', { migrationId: ctx.request.migrationId, error });
    await ctx.onReportUndelivered?.(error);
  } finally {
    // The file is a hand-over copy: the rows stay in Redis, and an owed report is written again from them.
    await rm(path, { force: true });
  }
  if (outcome === 'failed')
    await ctx.notify({ type: 'failed', step: 'cloning', reason: reason ?? 'the run failed', summary });
  else await ctx.notify({ type: 'finished', summary });
  return summary;
}
