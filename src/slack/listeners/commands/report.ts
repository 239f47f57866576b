import type { BotDeps } from '../../bot-deps.js';

/**
 * `/migrate report <id>` (the admin check is done): queues a re-upload of the report into the run's
 * thread, rebuilt from Redis by a worker. The answer says what will happen, or why nothing can.
 */
export async function reuploadReply(deps: BotDeps, migrationId: string, userId: string): Promise<string> {
  try {
    const record = await deps.records.get(migrationId);
    if (!record) return `There is no migration ${migrationId} (records are kept 30 days).`;
    if (record.request.mode === 'plan')
      return `${migrationId} is a plan (a dry run): its CSV of predictions is in its thread; press Plan first again for a fresh one.`;
    if (!record.summary)
      return `Migration ${migrationId} has no report yet (it is ${record.status}); it comes when the run ends.`;
    await deps.reports.reupload(migrationId, userId);
    deps.logger.info('report re-upload queued', { migrationId, userId });
    return `The report of migration ${migrationId} will be uploaded into its thread in a moment.`;
  } catch (error) {
    deps.logger.warn('/migrate report: could not queue the re-upload', { migrationId, error });
    return 'Migration records are unavailable right now (Redis does not answer); try again shortly.';
  }
}
