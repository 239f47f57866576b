import { z } from 'zod';
import type { FencedCommand, Lease, LeaseManager } from '../coordination/lease.js';
import type { RedisConnection } from '../coordination/redis-connections.js';
import { type AccountRecord, type AccountResult, accountResultSchema } from '../migration/account.js';
import type { RunCheckpoint, RunStore } from '../migration/ports.js';
import {
  emptyCounts,
  MIGRATION_STEPS,
  type ProgressPayload,
  type StatusCounts,
} from '../migration/progress.js';
import type { MigrationSummary, RunOutcome } from '../migration/summary.js';
import { migrationKeys, RECORD_TTL_MS } from './keys.js';

const checkpointSchema = z.object({
  stepsDone: z.array(z.enum(MIGRATION_STEPS)).default([]),
  listedThrough: z.number().int().nonnegative().default(0),
  listingComplete: z.boolean().default(false),
  connectors: z
    .array(z.object({ provider: z.string(), name: z.string(), needs: z.array(z.string()) }))
    .optional(),
  startedAt: z.number().optional(),
  cloneElapsedMs: z.number().default(0),
  cloneCalls: z.number().default(0),
});

/** Accounts are stored as compact tuples by listing position: 100,000 of them stay around 10 MB in Redis. */
type AccountTuple = [id: string, email: string, provider: string, syncState: string, billingState: string];
const toTuple = (a: AccountRecord): AccountTuple => [a.id, a.email, a.provider, a.syncState, a.billingState];
const fromTuple = ([id, email, provider, syncState, billingState]: AccountTuple): AccountRecord => ({
  id,
  email,
  provider,
  syncState,
  billingState,
});

/** Lua's unpack has a limit near 8,000 values: big writes are split into several commands. */
const MAX_ARGS_PER_COMMAND = 2000;

function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Read access to a migration's accounts and results (for reports, and for the run a retry repeats). */
export function createRunReader(redis: RedisConnection, prefix: string, migrationId: string) {
  const keys = migrationKeys(prefix);
  return {
    accountCount: () => redis.hlen(keys.accounts(migrationId)),
    async accounts(start: number, endInclusive: number): Promise<AccountRecord[]> {
      if (endInclusive < start) return [];
      const indexes = Array.from({ length: endInclusive - start + 1 }, (_, i) => String(start + i));
      const items = await redis.hmget(keys.accounts(migrationId), ...indexes);
      return items
        .filter((item): item is string => item !== null)
        .map((item) => fromTuple(JSON.parse(item) as AccountTuple));
    },
    async results(accountIds: readonly string[]): Promise<(AccountResult | undefined)[]> {
      if (accountIds.length === 0) return [];
      const values = await redis.hmget(keys.results(migrationId), ...accountIds);
      return values.map((value) => (value ? accountResultSchema.parse(JSON.parse(value)) : undefined));
    },
  };
}

/**
 * The Redis {@link RunStore} of one migration, every write fenced by `lease`: a worker that lost the
 * lease (its successor took over) gets `LeaseLostError` and writes nothing.
 */
export function createRunStore(options: {
  redis: RedisConnection;
  prefix: string;
  migrationId: string;
  leases: Pick<LeaseManager, 'fencedExecOrThrow'>;
  lease: Lease;
}): RunStore & {
  saveProgress(progress: ProgressPayload): Promise<void>;
  markRunning(): Promise<void>;
  finalize(outcome: RunOutcome, summary: MigrationSummary | undefined, reason?: string): Promise<void>;
} {
  const { redis, migrationId: id, leases, lease } = options;
  const keys = migrationKeys(options.prefix);
  const reader = createRunReader(redis, options.prefix, id);
  const write = (commands: FencedCommand[]) => leases.fencedExecOrThrow(lease, commands);
  const ttl = String(RECORD_TTL_MS);

  async function checkpoint(): Promise<RunCheckpoint> {
    const text = await redis.hget(keys.state(id), 'checkpoint');
    return checkpointSchema.parse(text ? JSON.parse(text) : {});
  }
  const checkpointCommand = (value: RunCheckpoint): FencedCommand => [
    'HSET',
    keys.state(id),
    'checkpoint',
    JSON.stringify(value),
  ];

  return {
    ...reader,
    checkpoint,

    async saveCheckpoint(patch) {
      await write([
        checkpointCommand({ ...(await checkpoint()), ...patch }),
        ['PEXPIRE', keys.state(id), ttl],
      ]);
    },

    async appendAccounts(accounts, listedThrough, complete) {
      const [known, count] = await Promise.all([
        accounts.length > 0
          ? redis.smismember(keys.accountIds(id), ...accounts.map((a) => a.id))
          : Promise.resolve([]),
        redis.hlen(keys.accounts(id)),
      ]);
      // Offset paging can show an account twice if v2's list shifts between pages: keep the first.
      const fresh = accounts.filter((_, i) => known[i] !== 1);
      // Each account is written at its position (not pushed), so a write that Redis receives twice
      // (ioredis re-sends commands whose answer a disconnect swallowed) changes nothing the second time.
      const commands: FencedCommand[] = [];
      for (const [partIndex, part] of chunked(fresh, MAX_ARGS_PER_COMMAND / 2).entries()) {
        const base = count + partIndex * (MAX_ARGS_PER_COMMAND / 2);
        commands.push([
          'HSET',
          keys.accounts(id),
          ...part.flatMap((a, i) => [String(base + i), JSON.stringify(toTuple(a))]),
        ]);
        commands.push(['SADD', keys.accountIds(id), ...part.map((a) => a.id)]);
      }
      commands.push(
        checkpointCommand({ ...(await checkpoint()), listedThrough, listingComplete: complete }),
        ['PEXPIRE', keys.accounts(id), ttl],
        ['PEXPIRE', keys.accountIds(id), ttl],
      );
      await write(commands);
    },

    async writeResults(entries) {
      if (entries.length === 0) return;
      // Results only: counts are derived from them, so writing the same outcome twice is harmless.
      const commands: FencedCommand[] = [];
      for (const part of chunked(entries, MAX_ARGS_PER_COMMAND / 2)) {
        commands.push([
          'HSET',
          keys.results(id),
          ...part.flatMap(({ account, result }) => [account.id, JSON.stringify(result)]),
        ]);
      }
      commands.push(['PEXPIRE', keys.results(id), ttl]);
      await write(commands);
    },

    async counts(): Promise<StatusCounts> {
      // Read once when a run (re)starts: a scan of the results, a chunk at a time.
      const counts = emptyCounts();
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(keys.results(id), cursor, 'COUNT', 1000);
        cursor = next;
        for (let i = 1; i < flat.length; i += 2) {
          const status = accountResultSchema.shape.status.safeParse(
            (JSON.parse(flat[i] ?? '{}') as { status?: unknown }).status,
          );
          if (status.success) counts[status.data]++;
        }
      } while (cursor !== '0');
      return counts;
    },

    async cancelRequested() {
      return (await redis.get(keys.cancel(id))) ?? undefined;
    },

    async rememberLink(v3AppId, v2AppId) {
      await redis.set(keys.linkedV3(v3AppId), v2AppId, 'PX', RECORD_TTL_MS);
    },

    async markRunning() {
      await write([['HSET', keys.state(id), 'status', 'running', 'startedAt', String(Date.now())]]);
    },

    async saveProgress(progress) {
      await write([['HSET', keys.state(id), 'progress', JSON.stringify(progress)]]);
    },

    async finalize(outcome, summary, reason) {
      const fields = ['status', outcome, 'finishedAt', String(Date.now())];
      if (summary) fields.push('summary', JSON.stringify(summary));
      if (reason) fields.push('reason', reason);
      await write([
        ['HSET', keys.state(id), ...fields],
        ...keys.allOf(id).map((key): FencedCommand => ['PEXPIRE', key, ttl]),
      ]);
    },
  };
}
