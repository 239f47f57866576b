import type { MigrationRequest } from '../migration/request.js';
import { FINISHED_STATUSES, type MigrationRecord } from '../store/migration-records.js';

/** The thread's words when a job arrives without the approval its environment needs. */
export const UNAPPROVED_REASON =
  "this migration's environment needs a second admin's approval and its record shows none; nothing was done at Nylas. Start it again with /migrate";

/**
 * Defence in depth: the worker itself refuses a job whose environment needs a second admin when the
 * record in Redis (never the job data) shows no approval — an enqueue that went around the bot, or a
 * record rolled back. A finished run is left to the usual "already finished" path.
 */
export function lacksApproval(
  approvalEnvironments: readonly string[],
  request: Pick<MigrationRequest, 'environment'>,
  record: Pick<MigrationRecord, 'status' | 'approval'>,
): boolean {
  if (!approvalEnvironments.includes(request.environment)) return false;
  if (FINISHED_STATUSES.includes(record.status)) return false;
  return record.approval?.decision !== 'approved';
}
