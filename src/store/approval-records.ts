import type { RedisConnection } from '../coordination/redis-connections.js';
import { redisScript, runScript } from '../coordination/redis-script.js';
import type { MigrationRequest } from '../migration/request.js';
import { migrationKeys, RECORD_TTL_MS } from './keys.js';
import type { ApprovalDecision, MigrationStatus } from './migration-records.js';

/**
 * KEYS: state. ARGV: now, due at, ttl. reserved → awaiting_approval: the run keeps its apps (no job on
 * purpose) until `approvalDueAt`. Only from `reserved`, so a stale click or replay changes nothing.
 */
const AWAIT_LUA = `
if redis.call('HGET', KEYS[1], 'status') ~= 'reserved' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'awaiting_approval', 'awaitingAt', ARGV[1], 'approvalDueAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * KEYS: state, activeV2, activeV3. ARGV: id, decision, now, approval JSON, reason, ttl. The one transition
 * out of awaiting_approval: whoever runs it first wins, every later caller (a second admin 40 ms later, a
 * double click, the expiry) is told the status it found. Approved → queued (the caller enqueues the job),
 * only while both apps are still reserved for this run;
 * rejected or expired → cancelled, and the apps are released in the same step. An approval arriving after
 * the window, or after another run took the apps, answers `lapsed` and changes nothing (the caller
 * expires the request).
 */
const DECIDE_LUA = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'awaiting_approval' then return {'not_waiting', status or ''} end
local due = tonumber(redis.call('HGET', KEYS[1], 'approvalDueAt') or '0')
if ARGV[2] == 'approved' then
  if tonumber(ARGV[3]) > due then return {'lapsed', status} end
  -- The caller's clock may lag the one that let another run take the apps: the keys themselves decide.
  if redis.call('GET', KEYS[2]) ~= ARGV[1] or redis.call('GET', KEYS[3]) ~= ARGV[1] then
    return {'lapsed', status}
  end
  redis.call('HSET', KEYS[1], 'status', 'queued', 'queuedAt', ARGV[3], 'approval', ARGV[4])
else
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'finishedAt', ARGV[3], 'approval', ARGV[4], 'reason', ARGV[5])
  for i = 2, 3 do
    if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {'ok', status}
`;

const AWAIT = redisScript(AWAIT_LUA);
const DECIDE = redisScript(DECIDE_LUA);

export type DecideResult =
  | { ok: true; approval: ApprovalDecision }
  | { ok: false; code: 'not_waiting'; status: MigrationStatus | undefined }
  | { ok: false; code: 'lapsed' };

/** Why a rejected or expired request was ended, as the record's `reason` says it. */
export function endedReason(approval: ApprovalDecision): string {
  return approval.decision === 'expired'
    ? 'no second admin approved it in time'
    : `rejected by <@${approval.by ?? 'unknown'}>`;
}

/** The approval step's state changes, each one atomic in Redis. */
export function createApprovalRecords(redis: RedisConnection, prefix: string) {
  const keys = migrationKeys(prefix);
  return {
    /** Marks a reserved run as waiting for a second admin until `dueAt`. False if it was not reserved. */
    async awaitApproval(migrationId: string, now: number, dueAt: number): Promise<boolean> {
      const reply = await runScript(
        redis,
        AWAIT,
        [keys.state(migrationId)],
        [String(now), String(dueAt), String(RECORD_TTL_MS)],
      );
      return reply === 1;
    },

    /** Records a decision if the run is still waiting; only one caller ever gets `ok`. */
    async decide(
      request: Pick<MigrationRequest, 'migrationId' | 'v2AppId' | 'v3AppId'>,
      decision: ApprovalDecision,
    ): Promise<DecideResult> {
      const reply = (await runScript(
        redis,
        DECIDE,
        [keys.state(request.migrationId), keys.activeV2(request.v2AppId), keys.activeV3(request.v3AppId)],
        [
          request.migrationId,
          decision.decision,
          String(decision.at),
          JSON.stringify(decision),
          endedReason(decision),
          String(RECORD_TTL_MS),
        ],
      )) as [string, string];
      if (reply[0] === 'ok') return { ok: true, approval: decision };
      if (reply[0] === 'lapsed') return { ok: false, code: 'lapsed' };
      return {
        ok: false,
        code: 'not_waiting',
        status: (reply[1] || undefined) as MigrationStatus | undefined,
      };
    },
  };
}

export type ApprovalRecords = ReturnType<typeof createApprovalRecords>;
