import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RedisConnection } from '../coordination/redis-connections.js';
import type { Notifier } from '../migration/notifier.js';
import { writeReport } from '../migration/report.js';
import { reportFilename } from '../migration/steps/finish.js';
import type { Logger } from '../shared/logger.js';
import type { MigrationRecords } from '../store/migration-records.js';
import { createRunReader } from '../store/run-store.js';

/** While one worker delivers a report, others leave it alone for this long. */
const CLAIM_MS = 120_000;

/**
 * Delivers reports that a run could not hand over (Slack down, rate-limited, a crash right after the
 * run): each is rebuilt from the run's records in Redis and retried until delivered — by any worker,
 * including one that starts after a crash.
 */
export function createReportCourier(deps: {
  redis: RedisConnection;
  prefix: string;
  records: MigrationRecords;
  notifier: Notifier;
  reportDir: string;
  logger: Logger;
  /** Delay before an undelivered report is tried again. */
  retryMs: number;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;

  async function deliver(migrationId: string): Promise<'delivered' | 'not_ready' | 'failed' | 'busy'> {
    const claimed = await deps.redis.set(
      `${deps.prefix}:report-claim:${migrationId}`,
      '1',
      'PX',
      CLAIM_MS,
      'NX',
    );
    if (!claimed) return 'busy';
    try {
      const record = await deps.records.get(migrationId);
      if (!record) {
        await deps.records.reportDelivered(migrationId); // expired: nothing left to deliver
        return 'delivered';
      }
      if (!record.summary) return 'not_ready'; // the run has not recorded its summary yet
      await mkdir(deps.reportDir, { recursive: true });
      const filename = reportFilename(migrationId);
      const path = join(deps.reportDir, filename);
      const rows = await writeReport(createRunReader(deps.redis, deps.prefix, migrationId), path);
      await deps.notifier
        .uploadReport(record.request, { path, filename, rows }, record.summary)
        .finally(() => rm(path, { force: true }));
      await deps.records.reportDelivered(migrationId);
      deps.logger.info('owed report delivered', { migrationId, rows });
      return 'delivered';
    } catch (error) {
      deps.logger.warn('owed report still not delivered', { migrationId, error });
      await deps.records.oweReport(migrationId, now() + deps.retryMs);
      return 'failed';
    } finally {
      await deps.redis.del(`${deps.prefix}:report-claim:${migrationId}`);
    }
  }

  return {
    deliver,
    /** Tries every owed report that is due; never throws (it runs on a timer). */
    async deliverDue(): Promise<void> {
      try {
        for (const id of await deps.records.dueReports(now())) await deliver(id);
      } catch (error) {
        deps.logger.warn('owed reports could not be checked', { error });
      }
    },
  };
}
