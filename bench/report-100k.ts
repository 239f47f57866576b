/**
 * The report alone: seeds Redis with a migration's accounts and results in the layout `createRunReader`
 * reads, then writes the CSV in a child process and measures time, size and peak RSS. Run at two sizes
 * (N and N/10) to test the claim that memory stays flat in the number of rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { AccountResult } from '../src/migration/account.js';
import { newMigrationId } from '../src/migration/request.js';
import { migrationKeys } from '../src/store/keys.js';
import {
  type BenchCheck,
  type BenchRow,
  benchPrefix,
  benchRedis,
  deletePrefix,
  kbToMb,
  REDIS_URL,
  REPORT_ENTRY,
  type ReportProcessConfig,
  round,
  type ScenarioResult,
  spawnIpcChild,
} from './setup.js';

const BATCH = 5_000;
const PROVIDERS = ['gmail', 'graph', 'office365', 'imap', 'icloud', 'yahoo', 'eas', 'hotmail'] as const;

/** A realistic mix: mostly migrated, some placeholders, failures with messages, skipped accounts. */
function resultFor(i: number, now: number): AccountResult {
  const bucket = i % 100;
  if (bucket < 80)
    return {
      status: 'migrated',
      grantId: `${(i * 2654435761).toString(16).padStart(8, '0')}-5a1e-4c0d-9e8f-${i.toString(16).padStart(12, '0')}`,
      grantStatus: 'valid',
      at: now,
    };
  if (bucket < 90)
    return {
      status: 'placeholder',
      grantId: `ph-${i.toString(36)}`,
      grantStatus: 'invalid',
      actionRequired: 'Ask the user to re-authenticate (Hosted Authentication)',
      at: now,
    };
  if (bucket < 97)
    return {
      status: 'failed',
      errorType: 'invalid_request_error',
      errorMessage: 'v2 account has been deleted, or "yahoo" has no connector, so it cannot be cloned',
      actionRequired: 'Use Retry failed',
      at: now,
    };
  return { status: 'skipped', errorMessage: 'billing state is cancelled', at: now };
}

async function seed(redis: Redis, prefix: string, migrationId: string, rows: number): Promise<void> {
  const keys = migrationKeys(prefix);
  const now = Date.now();
  for (let start = 0; start < rows; start += BATCH) {
    const end = Math.min(rows, start + BATCH);
    const tuples: string[] = [];
    const results: string[] = [];
    for (let i = start; i < end; i++) {
      const id = `acc${i.toString(36).padStart(6, '0')}x${(i * 7919).toString(36)}`;
      const provider = PROVIDERS[i % PROVIDERS.length] ?? 'gmail';
      tuples.push(
        String(i),
        JSON.stringify([
          id,
          `user.${i}@example-${i % 97}.com`,
          provider,
          i % 10 === 0 ? 'stopped' : 'running',
          i % 33 === 0 ? 'cancelled' : 'paid',
        ]),
      );
      results.push(id, JSON.stringify(resultFor(i, now)));
    }
    await redis
      .pipeline()
      .hset(keys.accounts(migrationId), ...tuples)
      .hset(keys.results(migrationId), ...results)
      .exec();
  }
}

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${round(bytes / 1024 / 1024, 1)} MB` : `${round(bytes / 1024, 1)} KB`;

interface ReportRun {
  rows: number;
  ms: number;
  bytes: number;
  cpuMs: number;
  maxRssKbBefore: number;
  maxRssKb: number;
  seedMs: number;
}

async function reportOnce(
  redis: Redis,
  prefix: string,
  dir: string,
  rows: number,
  heapCapMb?: number,
): Promise<ReportRun> {
  const migrationId = newMigrationId();
  const seedStarted = performance.now();
  await seed(redis, prefix, migrationId, rows);
  const seedMs = performance.now() - seedStarted;
  const config: ReportProcessConfig = {
    redisUrl: REDIS_URL,
    prefix,
    migrationId,
    path: join(dir, `report-${rows}.csv`),
  };
  const child = spawnIpcChild(
    REPORT_ENTRY,
    { BENCH_REPORT_CONFIG: JSON.stringify(config) },
    heapCapMb ? [`--max-old-space-size=${heapCapMb}`] : [],
  );
  try {
    const stats = await child.next('report-stats', 300_000);
    await child.exited;
    return { ...stats, seedMs };
  } finally {
    child.child.kill('SIGKILL');
    await deletePrefix(redis, `${prefix}:mig:${migrationId}`);
  }
}

/** Far below the ~40 MB that 100,000 rows (11 strings each) would need if they were held. */
const HEAP_CAP_MB = 24;

export async function runReportScenario(options: { rows: number }): Promise<ScenarioResult> {
  const large = options.rows;
  const small = Math.max(1, Math.round(large / 10));
  const prefix = benchPrefix('report');
  const redis = benchRedis();
  const dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
  try {
    const runs = [await reportOnce(redis, prefix, dir, small), await reportOnce(redis, prefix, dir, large)];
    // RSS alone mostly shows V8 letting its heap grow before collecting; a hard heap cap far below what
    // holding the rows would take is the real test that memory does not grow with the rows.
    const capped = await reportOnce(redis, prefix, dir, large, HEAP_CAP_MB).catch(() => undefined);
    const rows: BenchRow[] = [...runs, ...(capped ? [{ ...capped, capped: true }] : [])].map((run) => ({
      scenario: `report-${run.rows >= 1000 ? `${round(run.rows / 1000, 1)}k` : run.rows}${'capped' in run ? ` (heap ≤ ${HEAP_CAP_MB} MB)` : ''}`,
      accounts: run.rows,
      wallS: round(run.ms / 1000, 2),
      cpuMsPerAccount: round(run.cpuMs / run.rows, 3),
      peakRssMb: kbToMb(run.maxRssKb),
      notes:
        `${round(run.rows / (run.ms / 1000) / 1000, 1)}k rows/s; CSV ${size(run.bytes)}; ` +
        `RSS before writing ${kbToMb(run.maxRssKbBefore)} MB (+${kbToMb(run.maxRssKb - run.maxRssKbBefore)} MB); ` +
        `seeded in ${round(run.seedMs / 1000, 1)} s`,
    }));
    const [a, b] = runs;
    const checks: BenchCheck[] = [];
    if (a && b) {
      checks.push({
        pass: capped?.rows === large,
        text:
          `report memory flat: ${large} rows written with the V8 heap capped at ${HEAP_CAP_MB} MB ` +
          `(uncapped peak RSS ${kbToMb(b.maxRssKb)} MB at ${b.rows} rows vs ${kbToMb(a.maxRssKb)} MB at ${a.rows})`,
      });
      checks.push({
        pass: a.rows === small && b.rows === large,
        text: `report rows written = rows seeded (${a.rows}/${small}, ${b.rows}/${large})`,
      });
    }
    return { rows, checks };
  } finally {
    await deletePrefix(redis, prefix);
    await redis.quit();
    await rm(dir, { recursive: true, force: true });
  }
}
