import { REGION_MISMATCH_MESSAGE, type Region } from '../../config/regions.js';
import { NylasError } from '../../nylas/errors.js';
import { MigrationFailure, nylasCall } from '../failure.js';
import type { RunContext } from './context.js';

export interface PreflightResult {
  region: Region;
  v2Name: string;
  v3Name: string;
  /** The v3 app is already linked to this very v2 app (an earlier run, or the Dashboard). */
  alreadyLinked: boolean;
}

/**
 * Checks everything that would make the run fail half-way, before anything changes at Nylas: the
 * requester is still a verified admin, both apps are configured and in one region, v2 answers with its
 * secret, v3 with its key, and the v3 app is not linked to another v2 app.
 */
export async function preflight(ctx: RunContext): Promise<PreflightResult> {
  const { request, apps, nylas } = ctx;
  const admin = await ctx.verifyAdmin(request.requestedBy, request.teamId);
  if (!admin.ok)
    throw new MigrationFailure(
      'preflight',
      `<@${request.requestedBy}> is not allowed to run migrations: ${admin.reason}`,
    );

  if (!apps.v2)
    throw new MigrationFailure(
      'preflight',
      `The v2 application ${request.v2AppId} is not in the apps registry`,
    );
  if (!apps.v3)
    throw new MigrationFailure(
      'preflight',
      `The v3 application ${request.v3AppId} is not in the apps registry`,
    );
  if (apps.v2.region !== apps.v3.region) throw new MigrationFailure('preflight', REGION_MISMATCH_MESSAGE);

  const v2 = apps.v2;
  const v3 = apps.v3;
  await nylasCall('preflight', `The v2 application ${v2.id} is not reachable`, () =>
    nylas.v2.getApplication(ctx.signal),
  );
  const application = await nylas.v3.getApplication(ctx.signal).catch((error: unknown) => {
    if (error instanceof NylasError && error.status === 401) {
      throw new MigrationFailure(
        'preflight',
        `The v3 application ${v3.id} rejected its API key (${error.summary()})`,
        { cause: error },
      );
    }
    return nylasCall('preflight', `The v3 application ${v3.id} is not reachable`, () =>
      Promise.reject(error),
    );
  });

  if (application.region && application.region.toLowerCase() !== apps.v2.region) {
    throw new MigrationFailure(
      'preflight',
      `${REGION_MISMATCH_MESSAGE} (the v3 application is in ${application.region})`,
    );
  }
  const linkedTo = application.v2_application_id;
  if (linkedTo && linkedTo !== apps.v2.id) {
    await ctx.store.rememberLink(apps.v3.id, linkedTo);
    throw new MigrationFailure(
      'preflight',
      `The v3 application ${apps.v3.id} is already linked to another v2 application (${linkedTo})`,
    );
  }
  return {
    region: apps.v2.region,
    v2Name: apps.v2.name,
    v3Name: apps.v3.name,
    alreadyLinked: linkedTo === apps.v2.id,
  };
}
