import type { MigrationRequest, MigrationRequestInput } from '../migration/request.js';
import { migrationRequestSchema, newMigrationId } from '../migration/request.js';
import { logDropped } from '../shared/best-effort.js';
import type { Logger } from '../shared/logger.js';
import type { MigrationRecords, ReserveResult } from '../store/migration-records.js';
import { enqueueMigration, type JobAttempts, type MigrationQueue } from './migration-queue.js';

export type NewMigration = Omit<MigrationRequestInput, 'migrationId' | 'createdAt'>;

export type ReserveOutcome = { ok: true; request: MigrationRequest } | Extract<ReserveResult, { ok: false }>;

/**
 * Starts migrations: reserve (one live migration per v2 app and per v3 app), then enqueue. The two are
 * separate so the bot can post the thread in between and put its ts in the job.
 */
export function createMigrationProducer(deps: {
  records: MigrationRecords;
  queue: MigrationQueue;
  logger: Logger;
  now?: () => number;
  /** Attempts per job for unexpected failures (tests use fewer, faster ones). */
  attempts?: JobAttempts;
  /** Told (never awaited) when a run was queued or asked to stop (the App Home refreshes on it). */
  onStateChange?: (migrationId: string) => void;
}) {
  const now = deps.now ?? Date.now;

  const producer = {
    /** Validates and reserves. A busy app answers with the id (and record, with its thread) of the live run. */
    async reserve(input: NewMigration): Promise<ReserveOutcome> {
      const createdAt = now();
      const request = migrationRequestSchema.parse({
        ...input,
        migrationId: newMigrationId(createdAt),
        createdAt,
      });
      let reserved: ReserveResult;
      try {
        reserved = await deps.records.reserve(request);
      } catch (error) {
        // The answer was lost, not necessarily the write: a stalled Redis runs the reserve later. The
        // undo goes out at once on the same connection, so it runs right after the reserve whenever
        // that lands; the apps are never left held by a run that nobody will start.
        // Not awaited: the command is on the wire already, and the caller has an ack to make.
        void deps.records.discard(request).catch(
          logDropped(deps.logger, 'warn', 'undo of an unanswered reservation not confirmed', {
            migrationId: request.migrationId,
          }),
        );
        throw error;
      }
      return reserved.ok ? { ok: true, request } : reserved;
    },

    async enqueue(request: MigrationRequest): Promise<void> {
      await deps.records.setStatus(request.migrationId, 'queued', { queuedAt: String(now()) });
      await enqueueMigration(deps.queue, request, deps.attempts);
      deps.onStateChange?.(request.migrationId);
    },

    /** Reserve and enqueue in one go (the thread, if any, is already in the request). */
    async start(input: NewMigration): Promise<ReserveOutcome> {
      const reserved = await producer.reserve(input);
      if (reserved.ok) await producer.enqueue(reserved.request);
      return reserved;
    },

    /**
     * Builds the `only_failed` re-run of a finished migration: same apps and choices, retrying only what
     * failed or was cancelled, into the same thread. Reserve it, then enqueue it.
     */
    async reserveRetry(
      previousId: string,
      requestedBy: string,
    ): Promise<ReserveOutcome | { ok: false; code: 'not_found' | 'not_finished' | 'is_plan' }> {
      const previous = await deps.records.get(previousId);
      if (!previous) return { ok: false, code: 'not_found' };
      // A plan has no summary: its "retry" would be a real migration of every account, with no
      // confirmation, no Create app and no approval. Only Migrate now under the plan starts one.
      if (previous.request.mode === 'plan') return { ok: false, code: 'is_plan' };
      if (!['completed', 'cancelled', 'failed'].includes(previous.status))
        return { ok: false, code: 'not_finished' };
      const { migrationId: _id, createdAt: _at, ...rest } = previous.request;
      // Only a run that has its report and got the apps linked and imported can be retried account by
      // account; one that stopped earlier (failed preflight, cancelled before setup) starts afresh.
      const setUp = ['link', 'import'].every((step) => previous.stepsDone.includes(step));
      const mode = previous.summary && setUp ? 'only_failed' : 'all';
      return producer.reserve({ ...rest, mode, retryOf: previousId, requestedBy });
    },

    async cancel(migrationId: string, userId: string): Promise<boolean> {
      const asked = await deps.records.requestCancel(migrationId, userId);
      if (asked) deps.onStateChange?.(migrationId);
      return asked;
    },

    /** Whether the run's job exists (an enqueue that timed out may still have landed). */
    isQueued: async (migrationId: string) => (await deps.queue.getJob(migrationId)) !== undefined,
  };
  return producer;
}

export type MigrationProducer = ReturnType<typeof createMigrationProducer>;
