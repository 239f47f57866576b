import { NylasError } from '../../nylas/errors.js';
import { type MigrationJob, migrationJobSchema } from '../../nylas/schemas/v3.js';
import { sleep } from '../../shared/sleep.js';
import { describeNylasFailure, RunInterrupted } from '../failure.js';
import type { MigrationStep } from '../progress.js';
import type { RunContext } from './context.js';

const ACTIVE = ['pending', 'running'];

/** The jobs in an import answer, when it is a list of jobs (the spec's description) and not a message. */
export function jobsInImportAnswer(answer: unknown): MigrationJob[] {
  if (!Array.isArray(answer)) return [];
  return answer.flatMap((item) => {
    const parsed = migrationJobSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

export function describeJob(job: MigrationJob): string {
  const counts =
    job.count_all === undefined
      ? ''
      : `, ${job.count_success ?? 0}/${job.count_all} done${job.count_failed ? `, ${job.count_failed} failed` : ''}${job.count_warning ? `, ${job.count_warning} with warnings` : ''}`;
  return `${job.type} job ${job.job_id}: ${job.status}${counts}`;
}

/**
 * Waits while Nylas runs migration jobs on this v3 app — a batch clone the import started, or a
 * Dashboard "Migrate app" — so per-account cloning does not race them: once they are done, the grant
 * lookup finds what they made and nothing is cloned twice. The jobs are shown in the thread, when they
 * start being waited for and when they end. Checked on every attempt (it costs one request when
 * nothing runs); a cancel stops the wait (cloning then records the cancel), a shutdown interrupts it.
 *
 * If the jobs cannot be read, the run goes on with a warning: the lookup still guards every clone.
 */
export async function awaitNylasJobs(ctx: RunContext, step: MigrationStep, why: string): Promise<void> {
  const active = async () =>
    (await ctx.nylas.migration.listJobs({ status: ACTIVE }, ctx.signal)).filter(
      (job) =>
        ACTIVE.includes(job.status) &&
        (job.public_application_id === undefined || job.public_application_id === ctx.request.v3AppId),
    );
  try {
    let running = await active();
    if (running.length === 0) return;
    const seen = new Set(running.map((job) => job.job_id));
    await ctx.notify({
      type: 'step_done',
      step,
      text: `Nylas is running migration jobs on the v3 application (${why}); per-account cloning waits until they finish, then keeps the grants they made`,
      details: running.map(describeJob),
    });
    while (running.length > 0) {
      await sleep(ctx.settings.nylasJobPollMs, ctx.signal);
      if (ctx.drainSignal?.aborted) throw new RunInterrupted();
      if (await ctx.store.cancelRequested()) return;
      running = await active();
      for (const job of running) seen.add(job.job_id);
    }
    const finished = (await ctx.nylas.migration.listJobs({}, ctx.signal)).filter((job) =>
      seen.has(job.job_id),
    );
    await ctx.notify({
      type: 'step_done',
      step,
      text: "Nylas's migration jobs finished",
      details: finished.map(describeJob),
    });
  } catch (error) {
    if (!(error instanceof NylasError)) throw error;
    await ctx.notify({
      type: 'warning',
      step,
      text: `${describeNylasFailure(error, "Could not read Nylas's migration jobs")} — if a migration was started in the Nylas Dashboard, let it finish; every clone is still checked against existing grants`,
    });
  }
}
