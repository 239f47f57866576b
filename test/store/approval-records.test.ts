import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationRequestSchema, newMigrationId } from '../../src/migration/request.js';
import { migrationJobKeyPrefix } from '../../src/queue/migration-queue.js';
import { createApprovalRecords } from '../../src/store/approval-records.js';
import { createMigrationRecords, STALE_RESERVATION_MS } from '../../src/store/migration-records.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers/redis.js';

let redis: Redis;
const prefix = uniquePrefix('approval-records');
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const DAY = 24 * 60 * 60 * 1000;

/** A request for one pair of apps, "made" at `at` (the reservation script reads the time from it). */
function requestAt(at: number, v2AppId: string, v3AppId: string) {
  return migrationRequestSchema.parse({
    migrationId: newMigrationId(at),
    v2AppId,
    v3AppId,
    title: 'Acme',
    environment: 'Production',
    options: {},
    requestedBy: 'U_ADMIN',
    createdAt: at,
  });
}

describe('approval records in Redis', () => {
  const records = () => createMigrationRecords(redis, prefix, migrationJobKeyPrefix(prefix));
  const approvals = () => createApprovalRecords(redis, prefix);

  it('holds the apps for the whole approval window (past the 5-minute stale rule), then lets them lapse', async () => {
    const t0 = Date.now();
    const held = requestAt(t0, 'v2-hold', 'v3-hold');
    expect((await records().reserve(held)).ok).toBe(true);
    expect(await approvals().awaitApproval(held.migrationId, t0, t0 + DAY)).toBe(true);

    // Ten minutes later (no job, on purpose): a plain reservation would be taken over; this one holds.
    const later = requestAt(t0 + 2 * STALE_RESERVATION_MS, 'v2-hold', 'v3-hold');
    expect(await records().reserve(later)).toMatchObject({ ok: false, migrationId: held.migrationId });

    // Past its window, with nothing having expired it: the apps are free again.
    const afterWindow = requestAt(t0 + DAY + 1, 'v2-hold', 'v3-hold');
    expect((await records().reserve(afterWindow)).ok).toBe(true);
  });

  it('lets exactly one of many simultaneous decisions through', async () => {
    const t0 = Date.now();
    const request = requestAt(t0, 'v2-race', 'v3-race');
    await records().reserve(request);
    await approvals().awaitApproval(request.migrationId, t0, t0 + DAY);
    const results = await Promise.all(
      ['U_A', 'U_B', 'U_C', 'U_D', 'U_E', 'U_F'].map((by, i) =>
        approvals().decide(request, { decision: i % 2 ? 'rejected' : 'approved', by, at: t0 + 1 }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const record = await records().get(request.migrationId);
    const winner = results.find((r) => r.ok);
    expect(record?.approval).toEqual(winner?.ok ? winner.approval : undefined);
    expect(record?.status).toBe(record?.approval?.decision === 'approved' ? 'queued' : 'cancelled');
  });

  it('refuses an approval after the window, and a decision on a run that is not waiting', async () => {
    const t0 = Date.now();
    const request = requestAt(t0, 'v2-late', 'v3-late');
    await records().reserve(request);
    expect(await approvals().decide(request, { decision: 'approved', by: 'U_B', at: t0 })).toMatchObject({
      ok: false,
      code: 'not_waiting',
      status: 'reserved',
    });
    await approvals().awaitApproval(request.migrationId, t0, t0 + 1_000);
    expect(await approvals().decide(request, { decision: 'approved', by: 'U_B', at: t0 + 2_000 })).toEqual({
      ok: false,
      code: 'lapsed',
    });
    const expired = await approvals().decide(request, { decision: 'expired', at: t0 + 2_000 });
    expect(expired.ok).toBe(true);
    expect(await records().active('v2', 'v2-late')).toBeUndefined();
    expect((await records().get(request.migrationId))?.reason).toBe('no second admin approved it in time');
  });

  it('answers lapsed to an approval once another run holds the apps (clocks apart), and queues nothing', async () => {
    const t0 = Date.now();
    const request = requestAt(t0, 'v2-skew', 'v3-skew');
    await records().reserve(request);
    await approvals().awaitApproval(request.migrationId, t0, t0 + DAY);
    // Another caller whose clock was past the window reserved the apps for its own run.
    const keys = records().keys;
    await redis.set(keys.activeV2('v2-skew'), 'mig_someoneelse1');
    await redis.set(keys.activeV3('v3-skew'), 'mig_someoneelse1');
    expect(await approvals().decide(request, { decision: 'approved', by: 'U_B', at: t0 + 1 })).toEqual({
      ok: false,
      code: 'lapsed',
    });
    const record = await records().get(request.migrationId);
    expect(record?.status).toBe('awaiting_approval');
    expect(record?.approval).toBeUndefined();
    expect(await redis.get(keys.activeV2('v2-skew'))).toBe('mig_someoneelse1');
  });

  it('no longer counts a request past its window as live, before anything has expired it', async () => {
    const t0 = Date.now();
    const request = requestAt(t0 - 10_000, 'v2-lapsed', 'v3-lapsed');
    await records().reserve(request);
    await approvals().awaitApproval(request.migrationId, t0 - 10_000, t0 - 1);
    expect((await records().get(request.migrationId))?.status).toBe('awaiting_approval');
    expect(await records().active('v2', 'v2-lapsed')).toBeUndefined();
    expect(await records().active('v3', 'v3-lapsed')).toBeUndefined();

    // Within its window it is live.
    const waiting = requestAt(t0, 'v2-waiting', 'v3-waiting');
    await records().reserve(waiting);
    await approvals().awaitApproval(waiting.migrationId, t0, t0 + DAY);
    expect((await records().active('v2', 'v2-waiting'))?.request.migrationId).toBe(waiting.migrationId);
  });
});
