import { FINISHED_STATUSES, type MigrationRecord } from '../store/migration-records.js';

/** The thread's words when a job arrives without the approval its environment needs. */
export const UNAPPROVED_REASON =
  "this migration's environment needs a second admin's approval and its record shows none; nothing was done at Nylas. Start it again with /migrate";

/**
 * Defence in depth: the worker itself refuses a job whose run was put on hold for a second admin
 * (its record in Redis, never the job data, has an approval window) and shows no approval — an
 * enqueue that went around the bot, or a record rolled back. The record decides, not the current
 * MIGRATE_APPROVAL_ENVIRONMENTS: a run queued or started before approval was turned on for its
 * environment never had a window and runs as it was started. A run already running, or with steps
 * done at Nylas, is never refused (saying "nothing was done" would be false). A finished run is left
 * to the usual "already finished" path.
 */
export function lacksApproval(
  record: Pick<MigrationRecord, 'status' | 'approval' | 'approvalDueAt' | 'stepsDone'>,
): boolean {
  if (record.approvalDueAt === undefined) return false;
  if (FINISHED_STATUSES.includes(record.status)) return false;
  if (record.status === 'running' || record.stepsDone.length > 0) return false;
  return record.approval?.decision !== 'approved';
}
