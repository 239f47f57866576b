import type { Region } from '../../config/regions.js';
import { NylasError } from '../../nylas/errors.js';
import { connectorStatus } from '../checklist.js';
import { describeNylasFailure, MigrationFailure, nylasCall } from '../failure.js';
import type { MigrationStep } from '../progress.js';
import { apiEnvironmentFor } from '../request.js';
import type { RunContext } from './context.js';
import { describeJob, jobsInImportAnswer } from './nylas-jobs.js';

/** Runs `step` unless an earlier attempt of this run finished it, and checkpoints it. */
export async function once(ctx: RunContext, step: MigrationStep, work: () => Promise<void>): Promise<void> {
  const checkpoint = await ctx.store.checkpoint();
  if (checkpoint.stepsDone.includes(step)) return;
  await work();
  const latest = await ctx.store.checkpoint();
  await ctx.store.saveCheckpoint({ stepsDone: [...latest.stepsDone, step] });
}

/**
 * Links the apps; a pair that is already linked is left as it is (linking again must not fail a re-run).
 * Whether Nylas accepts linking a linked pair again is undocumented: a refusal after which the app
 * reads as linked to this v2 app (a retried call whose first attempt did link) counts as linked.
 */
export async function linkApps(ctx: RunContext, alreadyLinked: boolean): Promise<void> {
  const v2 = ctx.apps.v2;
  if (!v2) throw new MigrationFailure('link', 'The v2 application is not in the apps registry');
  if (!alreadyLinked) {
    await nylasCall('link', 'Linking the v2 and v3 applications failed', async () => {
      try {
        await ctx.nylas.migration.linkApps(v2.id, v2.clientSecret, ctx.signal);
      } catch (error) {
        if (!(error instanceof NylasError && isRefusal(error))) throw error;
        const application = await ctx.nylas.v3.getApplication(ctx.signal);
        if (application.v2_application_id !== v2.id) throw error;
      }
    });
  }
  await ctx.store.rememberLink(ctx.request.v3AppId, v2.id);
  await ctx.notify({
    type: 'step_done',
    step: 'link',
    text: alreadyLinked
      ? `v2 application ${v2.id} and v3 application ${ctx.request.v3AppId} were already linked`
      : `Linked v2 application ${v2.id} to v3 application ${ctx.request.v3AppId}`,
  });
}

/** Nylas said no (4xx other than auth and rate limits): nothing to retry. */
function isRefusal(error: NylasError): boolean {
  return (
    error.kind === 'api' &&
    error.status !== undefined &&
    error.status >= 400 &&
    error.status < 500 &&
    ![401, 403, 429].includes(error.status)
  );
}

/**
 * Imports the v2 settings. Whether Nylas lets an app be imported twice is undocumented: when the
 * import may already have happened — the pair was linked before this run step (an earlier run, or an
 * attempt that crashed after importing), or an earlier attempt of this very call got no clear answer —
 * a refusal is a warning and the run goes on with what the earlier import set up.
 */
export async function importSettings(ctx: RunContext, linkedBefore: boolean): Promise<void> {
  let answer: unknown;
  try {
    answer = await ctx.nylas.migration.importV2App(ctx.signal);
  } catch (error) {
    if (!(error instanceof NylasError)) throw error;
    const mayHaveImported = linkedBefore || error.attempts > 1;
    if (!(isRefusal(error) && mayHaveImported)) {
      throw new MigrationFailure('import', describeNylasFailure(error, 'Importing the v2 settings failed'), {
        cause: error,
      });
    }
    await ctx.notify({
      type: 'warning',
      step: 'import',
      text: `Nylas refused to import the v2 settings again (${error.summary()}); the earlier import is kept — check the connectors below`,
    });
    return;
  }
  await ctx.notify({
    type: 'step_done',
    step: 'import',
    text: 'Imported the v2 settings: website and icon URLs, redirect URIs, integrations as connectors',
  });
  // The spec's description says the import answers two jobs (snapshot, batch clone) running on in the
  // background; its schema says a message. Either is accepted; jobs are shown, then waited for.
  const jobs = jobsInImportAnswer(answer);
  if (jobs.length > 0) {
    await ctx.notify({
      type: 'step_done',
      step: 'import',
      text: `The import started ${jobs.length} Nylas migration job${jobs.length === 1 ? '' : 's'}`,
      details: jobs.map(describeJob),
    });
  }
}

/**
 * Applies title, environment and description. After the import (which sets icon and website URLs), and
 * with the whole `branding` object read back first: PATCH replaces nested objects, so sending only the
 * name would erase the rest. The endpoint is marked "to be removed": a failure here is a warning.
 */
export async function applySettings(ctx: RunContext): Promise<void> {
  const { request } = ctx;
  const environment = apiEnvironmentFor(request.environment);
  try {
    const application = await ctx.nylas.v3.getApplication(ctx.signal);
    const branding = {
      ...withoutNulls(application.branding ?? {}),
      name: request.title,
      ...(request.description ? { description: request.description } : {}),
    };
    await ctx.nylas.v3.updateApplication({ branding, environment }, ctx.signal);
  } catch (error) {
    if (!(error instanceof NylasError)) throw error;
    await ctx.notify({
      type: 'warning',
      step: 'settings',
      text: `${describeNylasFailure(error, 'Could not apply the title, environment and description')} — set them in the Nylas Dashboard`,
    });
    return;
  }
  const tagNote =
    request.environment === 'Development'
      ? ' (the API has no Development value: sent as staging, tagged Development here)'
      : '';
  await ctx.notify({
    type: 'step_done',
    step: 'settings',
    text: `Applied title "${request.title}", environment ${request.environment}${tagNote}${request.description ? ' and description' : ''}`,
  });
}

/** Unknown branding keys come back verbatim; a `null` among them is not written back as a value. */
function withoutNulls<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export async function inventoryConnectors(ctx: RunContext, region: Region): Promise<void> {
  const connectors = await nylasCall('connectors', 'Listing the v3 connectors failed', () =>
    ctx.nylas.v3.listConnectors(ctx.signal),
  );
  const statuses = connectors.map((connector) => connectorStatus(connector, region));
  await ctx.store.saveCheckpoint({ connectors: statuses });
  await ctx.notify({ type: 'connectors', connectors: statuses });
}
