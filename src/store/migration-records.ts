import { z } from 'zod';
import type { RedisConnection } from '../coordination/redis-connections.js';
import { redisScript, runScript } from '../coordination/redis-script.js';
import type { ProgressPayload } from '../migration/progress.js';
import { type MigrationRequest, migrationRequestSchema } from '../migration/request.js';
import type { MigrationSummary, RunOutcome } from '../migration/summary.js';
import { type MigrationKeys, migrationKeys, RECORD_TTL_MS } from './keys.js';

export type MigrationStatus = 'reserved' | 'awaiting_approval' | 'queued' | 'running' | RunOutcome;

/** A second admin's decision on a run that needed one (approval-records.ts writes it). */
export interface ApprovalDecision {
  decision: 'approved' | 'rejected' | 'expired';
  /** The Slack user who decided; unset when the request expired. */
  by?: string | undefined;
  at: number;
}
const FINISHED: readonly MigrationStatus[] = ['completed', 'cancelled', 'failed'];

export interface MigrationRecord {
  request: MigrationRequest;
  status: MigrationStatus;
  progress?: ProgressPayload | undefined;
  summary?: MigrationSummary | undefined;
  reason?: string | undefined;
  cancelRequestedBy?: string | undefined;
  finishedAt?: number | undefined;
  /** When a worker last started (or resumed) the run. */
  startedAt?: number | undefined;
  /** Steps the run finished (from its checkpoint): a retry knows what is already set up at Nylas. */
  stepsDone: string[];
  /** Unset while the run waits for approval, or when it needed none. */
  approval?: ApprovalDecision | undefined;
  /** While awaiting approval: when the request lapses (ms). */
  approvalDueAt?: number | undefined;
}

/** A request still awaiting approval after its window: its apps are free (RESERVE_LUA says the same). */
export function approvalLapsed(
  record: Pick<MigrationRecord, 'status' | 'approvalDueAt'>,
  now: number = Date.now(),
): boolean {
  return record.status === 'awaiting_approval' && now > (record.approvalDueAt ?? 0);
}

/** A reservation that has not been enqueued after this long is abandoned (the bot died in between). */
export const STALE_RESERVATION_MS = 5 * 60 * 1000;

export type ReserveResult =
  | { ok: true }
  | { ok: false; code: 'v2_busy' | 'v3_busy'; migrationId: string; record: MigrationRecord | undefined };

/**
 * KEYS: activeV2, activeV3, request, state, recent. ARGV: id, request JSON, now (ms), ttl, the prefix of
 * migration keys, how long a reservation may wait for its job, the prefix of BullMQ's job keys, then
 * the statuses that count as finished. A reservation does not block when its migration has finished or
 * vanished (a crash between the end and the release), or when it still has no job long after it was
 * reserved or queued (the bot died in between): it is taken over. A job merely waiting in a long
 * queue exists, so its reservation holds. A run awaiting a second admin has no job on purpose: it holds
 * until its approval window ends (`approvalDueAt`).
 */
const RESERVE_LUA = `
local function busy(key)
  local holder = redis.call('GET', key)
  if not holder then return nil end
  local state = ARGV[5] .. holder .. ':state'
  local status = redis.call('HGET', state, 'status')
  if not status then return nil end
  for i = 8, #ARGV do if status == ARGV[i] then return nil end end
  if status == 'awaiting_approval' then
    -- Holds for its approval window, then lapses even if nothing expired it (approval-records.ts).
    if tonumber(ARGV[3]) > tonumber(redis.call('HGET', state, 'approvalDueAt') or '0') then return nil end
  elseif status == 'reserved' or status == 'queued' then
    local at = tonumber(redis.call('HGET', state, status .. 'At') or '0')
    local jobExists = redis.call('EXISTS', ARGV[7] .. holder) == 1
    if (not jobExists) and tonumber(ARGV[3]) - at > tonumber(ARGV[6]) then return nil end
  end
  return holder
end
local v2 = busy(KEYS[1])
if v2 then return {'v2_busy', v2} end
local v3 = busy(KEYS[2])
if v3 then return {'v3_busy', v3} end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[4])
redis.call('HSET', KEYS[4], 'status', 'reserved', 'reservedAt', ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1])
return {'ok', ARGV[1]}
`;

/** KEYS: activeV2, activeV3. ARGV: id. Deletes each reservation only if it is this migration's. */
const RELEASE_LUA = `
for i = 1, 2 do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1
`;

/**
 * KEYS: activeV2, activeV3, recent, then the migration's own keys. ARGV: id. A reservation undone in
 * one command: sent right behind a reserve whose answer was lost, it runs after it whenever that
 * lands (same connection, in order), so the apps are never left held by a run without a job.
 */
const DISCARD_LUA = `
for i = 1, 2 do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
redis.call('ZREM', KEYS[3], ARGV[1])
for i = 4, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`;

const RESERVE = redisScript(RESERVE_LUA);
const RELEASE = redisScript(RELEASE_LUA);

const jsonField = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text) => JSON.parse(text) as unknown)
    .pipe(schema);

/**
 * Migration records as the bot and the producer see them: reservations (one live migration per v2 app
 * and per v3 app), status, progress, cancel requests and the recent list. Run-time writes of results go
 * through the fenced {@link RunStore} instead.
 */
export function createMigrationRecords(redis: RedisConnection, prefix: string, jobKeyPrefix: string) {
  const keys: MigrationKeys = migrationKeys(prefix);
  const recentLimit = 200;

  async function get(id: string): Promise<MigrationRecord | undefined> {
    const [requestText, state, cancelBy] = await Promise.all([
      redis.get(keys.request(id)),
      redis.hgetall(keys.state(id)),
      redis.get(keys.cancel(id)),
    ]);
    if (!requestText) return undefined;
    const request = jsonField(migrationRequestSchema).safeParse(requestText);
    if (!request.success) return undefined;
    const parse = <T>(text: string | undefined): T | undefined =>
      text ? (JSON.parse(text) as T) : undefined;
    return {
      request: request.data,
      status: (state.status as MigrationStatus | undefined) ?? 'reserved',
      progress: parse<ProgressPayload>(state.progress),
      summary: parse<MigrationSummary>(state.summary),
      reason: state.reason,
      cancelRequestedBy: cancelBy ?? undefined,
      stepsDone: parse<{ stepsDone?: string[] }>(state.checkpoint)?.stepsDone ?? [],
      finishedAt: state.finishedAt ? Number(state.finishedAt) : undefined,
      approval: parse<ApprovalDecision>(state.approval),
      approvalDueAt: state.approvalDueAt ? Number(state.approvalDueAt) : undefined,
      startedAt: state.startedAt ? Number(state.startedAt) : undefined,
    };
  }

  return {
    keys,
    get,

    /**
     * Reserves the v2 app and the v3 app for this migration and stores its request, atomically: a
     * second request (double click, retry, another admin) finds the reservation and gets its id.
     */
    async reserve(request: MigrationRequest): Promise<ReserveResult> {
      const id = request.migrationId;
      const reply = (await runScript(
        redis,
        RESERVE,
        [
          keys.activeV2(request.v2AppId),
          keys.activeV3(request.v3AppId),
          keys.request(id),
          keys.state(id),
          keys.recent(),
        ],
        [
          id,
          JSON.stringify(request),
          String(request.createdAt),
          String(RECORD_TTL_MS),
          `${prefix}:mig:`,
          String(STALE_RESERVATION_MS),
          jobKeyPrefix,
          ...FINISHED,
        ],
      )) as [string, string];
      if (reply[0] === 'ok') {
        await redis.zremrangebyrank(keys.recent(), 0, -recentLimit - 1);
        return { ok: true };
      }
      return {
        ok: false,
        code: reply[0] as 'v2_busy' | 'v3_busy',
        migrationId: reply[1],
        record: await get(reply[1]),
      };
    },

    /** Stores a plan's (dry run's) request. No reservation: a plan never blocks a real migration. */
    async createPlan(request: MigrationRequest): Promise<void> {
      const id = request.migrationId;
      await redis
        .multi()
        .set(keys.request(id), JSON.stringify(request), 'PX', RECORD_TTL_MS)
        .hset(keys.state(id), { status: 'reserved', reservedAt: String(request.createdAt) })
        .pexpire(keys.state(id), RECORD_TTL_MS)
        .exec();
    },

    async release(request: Pick<MigrationRequest, 'migrationId' | 'v2AppId' | 'v3AppId'>): Promise<void> {
      await runScript(
        redis,
        RELEASE,
        [keys.activeV2(request.v2AppId), keys.activeV3(request.v3AppId)],
        [request.migrationId],
      );
    },

    /** Drops a reservation that never started (the thread could not be posted): as if never made. */
    async discard(request: MigrationRequest): Promise<void> {
      const id = request.migrationId;
      // EVAL, not EVALSHA: a NOSCRIPT answer would come too late for a fallback when Redis is stalled.
      await redis.eval(
        DISCARD_LUA,
        3 + keys.allOf(id).length,
        keys.activeV2(request.v2AppId),
        keys.activeV3(request.v3AppId),
        keys.recent(),
        ...keys.allOf(id),
        id,
      );
    },

    /**
     * The live migration of a v2 or v3 app, if any. A request past its approval window no longer
     * counts, as in the reservation script: it lapses even when nothing has expired it yet.
     */
    async active(kind: 'v2' | 'v3', appId: string): Promise<MigrationRecord | undefined> {
      const id = await redis.get(kind === 'v2' ? keys.activeV2(appId) : keys.activeV3(appId));
      if (!id) return undefined;
      const record = await get(id);
      if (!record || FINISHED.includes(record.status)) return undefined;
      return approvalLapsed(record) ? undefined : record;
    },

    async setThread(id: string, slack: NonNullable<MigrationRequest['slack']>): Promise<MigrationRequest> {
      const record = await get(id);
      if (!record) throw new Error(`migration ${id} has no record`);
      const request = { ...record.request, slack };
      await redis.set(keys.request(id), JSON.stringify(request), 'PX', RECORD_TTL_MS);
      return request;
    },

    async setStatus(id: string, status: MigrationStatus, fields: Record<string, string> = {}): Promise<void> {
      await redis
        .multi()
        .hset(keys.state(id), { status, ...fields })
        .pexpire(keys.state(id), RECORD_TTL_MS)
        .exec();
    },

    /** Asks a running migration to stop between accounts. Returns false if it is not running. */
    async requestCancel(id: string, userId: string): Promise<boolean> {
      const record = await get(id);
      if (!record || FINISHED.includes(record.status)) return false;
      await redis.set(keys.cancel(id), userId, 'PX', RECORD_TTL_MS, 'NX');
      return true;
    },

    async recent(limit = 10): Promise<MigrationRecord[]> {
      const ids = await redis.zrevrange(keys.recent(), 0, limit - 1);
      const records = await Promise.all(ids.map(get));
      return records.filter((r): r is MigrationRecord => r !== undefined);
    },

    /** The v2 app a v3 app was found linked to by an earlier run, if any. */
    async linkedV2For(v3AppId: string): Promise<string | undefined> {
      return (await redis.get(keys.linkedV3(v3AppId))) ?? undefined;
    },

    /** How many of the `limit` most recent migrations are in each state (for metrics). */
    async statusCounts(limit = 500): Promise<Record<string, number>> {
      const ids = await redis.zrevrange(keys.recent(), 0, limit - 1);
      const statuses = await Promise.all(ids.map((id) => redis.hget(keys.state(id), 'status')));
      const counts: Record<string, number> = {};
      for (const status of statuses) if (status) counts[status] = (counts[status] ?? 0) + 1;
      return counts;
    },
  };
}

export type MigrationRecords = ReturnType<typeof createMigrationRecords>;
export const FINISHED_STATUSES = FINISHED;
