import type { MigrationRecord, MigrationRecords } from '../store/migration-records.js';
import type { Permalinks } from './permalinks.js';

/** What `/migrate status` and the App Home show: the most recent runs and their threads' links. */
export interface RunsOverview {
  records: MigrationRecord[];
  /** Migration id → thread permalink (undefined when Slack gave none in time). */
  links: Map<string, string | undefined>;
}

/**
 * The one query behind `/migrate status` and the App Home, so both always show the same runs: the
 * `limit` most recent records (newest first), with their threads' permalinks asked together.
 */
export async function loadRunsOverview(
  deps: { records: Pick<MigrationRecords, 'recent'>; permalinks: Permalinks },
  limit: number,
): Promise<RunsOverview> {
  const records = await deps.records.recent(limit);
  const links = await Promise.all(records.map((record) => deps.permalinks.of(record.request.slack)));
  return {
    records,
    links: new Map(records.map((record, index) => [record.request.migrationId, links[index]])),
  };
}
