/**
 * Cloning at Nylas's limit: the simulator enforces 20 Migration-API requests per sliding second per v3
 * app, with 40–120 ms of latency; workers run in child processes at the production pace (19/s) with
 * production-like timeouts. Measures the achieved clone rate (from the simulator's arrivals and from the
 * run's own summary), the most requests in any second, 429s, duplicate grants, and each worker's CPU
 * time and peak RSS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAppsRegistry } from '../src/config/apps-registry.js';
import {
  NYLAS_MIGRATION_LIMIT_PER_SECOND,
  NYLAS_MIGRATION_RATE_PER_SECOND,
} from '../src/coordination/rate-budget.js';
import { createWorkerConnection } from '../src/coordination/redis-connections.js';
import { DEFAULT_RUN_SETTINGS } from '../src/migration/ports.js';
import { createMigrationQueue, migrationJobKeyPrefix } from '../src/queue/migration-queue.js';
import { createMigrationProducer } from '../src/queue/producer.js';
import { silentLogger } from '../src/shared/logger.js';
import {
  createMigrationRecords,
  FINISHED_STATUSES,
  type MigrationRecord,
} from '../src/store/migration-records.js';
import { startNylasSim } from '../testkit/nylas-sim/index.js';
import { startRedisCluster } from '../testkit/redis-cluster.js';
import { WORKER_PROCESS_ENV } from '../testkit/worker-process/config.js';
import {
  BENCH_HTTP,
  BENCH_LEASE_TTL_MS,
  type BenchCheck,
  type BenchRow,
  benchPrefix,
  benchRedis,
  deletePrefix,
  type IpcChild,
  kbToMb,
  REDIS_URL,
  round,
  type ScenarioResult,
  sleep,
  spawnIpcChild,
  WORKER_ENTRY,
  type WorkerProcessConfig,
} from './setup.js';

export interface CloneScenario {
  name: string;
  /** Accounts in all, split evenly across the apps. */
  accounts: number;
  workers: number;
  /** Concurrent migrations, each from its own v2 app into its own v3 app. */
  apps: number;
  /** Migrations per worker process at once; production default (4) when unset. */
  workerConcurrency?: number;
  /** Run on a Redis Cluster of three masters started for the scenario (keys under a hash tag). */
  cluster?: boolean;
}

const LIMIT = NYLAS_MIGRATION_LIMIT_PER_SECOND;
const POLL_MS = 100;

interface Arrivals {
  total: number;
  first: number | undefined;
  last: number | undefined;
}

/** Clone calls per second between the first and the last arrival seen (N arrivals span N − 1 gaps). */
function rateOf(a: Arrivals): { rate: number; seconds: number } {
  if (a.first === undefined || a.last === undefined || a.last <= a.first) return { rate: 0, seconds: 0 };
  const seconds = (a.last - a.first) / 1000;
  return { rate: (a.total - 1) / seconds, seconds };
}

export async function runCloneScenario(scenario: CloneScenario): Promise<ScenarioResult> {
  const apps = Array.from({ length: scenario.apps }, (_, i) => ({
    v2: { clientId: `v2-bench-${i}`, clientSecret: `v2-bench-${i}-secret` },
    v3: { applicationId: `v3-bench-${i}`, apiKey: `nyk_v0_bench_${i}` },
    accounts: Math.floor(scenario.accounts / scenario.apps) + (i < scenario.accounts % scenario.apps ? 1 : 0),
  }));
  const sim = await startNylasSim({
    v2Apps: apps.map((a, i) => ({ ...a.v2, accounts: a.accounts, seed: 101 + i, region: 'us' as const })),
    v3Apps: apps.map((a) => ({ ...a.v3, region: 'us' as const })),
    migrationRateLimit: LIMIT,
    latencyMs: { min: 40, max: 120 },
  });
  const registryYaml = [
    'v2_apps:',
    ...apps.map((a) => `  - {id: ${a.v2.clientId}, region: us, client_secret: ${a.v2.clientSecret}}`),
    'v3_apps:',
    ...apps.map((a) => `  - {id: ${a.v3.applicationId}, region: us, api_key: ${a.v3.apiKey}}`),
  ].join('\n');
  parseAppsRegistry(registryYaml, 'bench-registry', {}); // fail here, not in a child, if it is wrong

  const cluster = scenario.cluster ? await startRedisCluster(3) : undefined;
  const redisUrl = cluster?.url ?? REDIS_URL;
  const prefix = cluster ? `{${benchPrefix('clone')}}` : benchPrefix('clone');
  const redis = cluster ? createWorkerConnection(cluster.url) : benchRedis();
  const records = createMigrationRecords(redis, prefix, migrationJobKeyPrefix(prefix));
  const queue = createMigrationQueue(redis, prefix);
  const producer = createMigrationProducer({ records, queue, logger: silentLogger });
  const reportDir = await mkdtemp(join(tmpdir(), 'bench-reports-'));
  const children: IpcChild[] = [];
  let poller: NodeJS.Timeout | undefined;

  try {
    const config: WorkerProcessConfig = {
      redisUrl,
      prefix,
      registryYaml,
      hosts: { us: { v2: sim.url, v3: sim.url }, eu: { v2: sim.url, v3: sim.url } },
      reportDir,
      ratePerSecond: NYLAS_MIGRATION_RATE_PER_SECOND,
      http: BENCH_HTTP,
      leaseTtlMs: BENCH_LEASE_TTL_MS,
      concurrency: scenario.workerConcurrency,
      settings: { ...DEFAULT_RUN_SETTINGS, reportDir },
      label: 'bench',
    };
    for (let i = 0; i < scenario.workers; i++)
      children.push(spawnIpcChild(WORKER_ENTRY, { [WORKER_PROCESS_ENV]: JSON.stringify(config) }));
    await Promise.all(children.map((c) => c.next('ready')));

    // Clone arrivals per app, from the simulator's counters, sampled every 100 ms (cheap enough not to
    // disturb the simulator, which shares this event loop).
    const appOfAccount = new Map<string, number>();
    apps.forEach((a, i) => {
      for (const account of sim.accounts(a.v2.clientId)) appOfAccount.set(account.id, i);
    });
    const perApp: Arrivals[] = apps.map(() => ({ total: 0, first: undefined, last: undefined }));
    const all: Arrivals = { total: 0, first: undefined, last: undefined };
    const sample = () => {
      const now = performance.now();
      const totals = apps.map(() => 0);
      for (const [accountId, calls] of Object.entries(sim.counters().cloneCalls)) {
        const i = appOfAccount.get(accountId) ?? 0;
        totals[i] = (totals[i] ?? 0) + calls;
      }
      const update = (a: Arrivals, total: number) => {
        if (total === a.total) return;
        a.first ??= now;
        a.last = now;
        a.total = total;
      };
      totals.forEach((total, i) => {
        const a = perApp[i];
        if (a) update(a, total);
      });
      update(
        all,
        totals.reduce((x, y) => x + y, 0),
      );
    };
    poller = setInterval(sample, POLL_MS);

    const started = performance.now();
    const requests = [];
    for (const a of apps) {
      const outcome = await producer.start({
        v2AppId: a.v2.clientId,
        v3AppId: a.v3.applicationId,
        title: 'Bench on v3',
        environment: 'Production',
        options: {},
        requestedBy: 'U_BENCH',
      });
      if (!outcome.ok) throw new Error(`could not start ${a.v2.clientId}: ${outcome.code}`);
      requests.push(outcome.request);
    }

    // Generous: listing + cloning at 19/s, plus set-up, with room for retries.
    const deadline = started + (scenario.accounts / NYLAS_MIGRATION_RATE_PER_SECOND) * 2_000 + 120_000;
    const finished: MigrationRecord[] = [];
    for (const request of requests) {
      for (;;) {
        const record = await records.get(request.migrationId);
        if (record && FINISHED_STATUSES.includes(record.status)) {
          finished.push(record);
          break;
        }
        if (performance.now() > deadline)
          throw new Error(`${request.migrationId} still ${record?.status ?? 'missing'} at the deadline`);
        await sleep(250);
      }
    }
    const totalSeconds = (performance.now() - started) / 1000;
    clearInterval(poller);
    poller = undefined;
    sample();
    const counters = sim.counters();

    const stats = await Promise.all(
      children.map(async (c) => {
        const stats = c.next('worker-stats', 60_000);
        c.send({ type: 'stop' });
        const result = await stats;
        await c.exited;
        return result;
      }),
    );
    children.length = 0;

    const combined = rateOf(all);
    const appRates = perApp.map(rateOf);
    const maxPerApp = apps.map((a) => counters.maxMigrationRequestsInAnyWindow[a.v3.applicationId] ?? 0);
    const runRates = finished.map((r) => r.summary?.cloneRate ?? 0);
    const cpuMs = stats.reduce((sum, s) => sum + s.cpuMs, 0);
    const outcomes = finished.map((r) => r.status);

    const notes: string[] = [];
    if (outcomes.some((o) => o !== 'completed')) notes.push(`outcomes ${outcomes.join('/')}`);
    notes.push(`${all.total} clone calls`);
    if (apps.length > 1) {
      notes.push(
        `per app: ${apps
          .map(
            (_, i) =>
              `${round(appRates[i]?.rate ?? 0, 2)}/s (run ${round(runRates[i] ?? 0, 2)}), max ${maxPerApp[i]}`,
          )
          .join('; ')}`,
      );
    }
    if (stats.length > 1) {
      notes.push(`jobs per worker ${stats.map((s) => s.jobs).join('/')}`);
      notes.push(`CPU ms per worker ${stats.map((s) => Math.round(s.cpuMs)).join('/')}`);
      notes.push(`RSS MB per worker ${stats.map((s) => kbToMb(s.maxRssKb)).join('/')}`);
    }
    if (cluster) notes.push(`Redis Cluster of ${cluster.ports.length} masters`);
    if (scenario.workerConcurrency !== undefined)
      notes.push(`worker concurrency ${scenario.workerConcurrency}`);
    notes.push(`whole run ${round(totalSeconds, 1)} s`);
    notes.push(`worker start-up CPU ${Math.round(Math.max(...stats.map((s) => s.cpuMsTotal - s.cpuMs)))} ms`);

    const row: BenchRow = {
      scenario: scenario.name,
      accounts: scenario.accounts,
      workers: scenario.workers,
      wallS: round(combined.seconds, 1),
      cloneRate: round(combined.rate, 2),
      runCloneRate: round(
        runRates.reduce((x, y) => x + y, 0),
        2,
      ),
      rateOfLimit: round(combined.rate / (LIMIT * apps.length), 3),
      maxInAnySecond: Math.max(...maxPerApp),
      rateLimited: counters.rateLimited,
      duplicates: counters.duplicateGrants,
      cpuMsPerAccount: round(cpuMs / scenario.accounts, 2),
      peakRssMb: kbToMb(Math.max(...stats.map((s) => s.maxRssKb))),
      notes: notes.join('; '),
    };

    const checks: BenchCheck[] = [];
    apps.forEach((a, i) => {
      const where = apps.length > 1 ? `${scenario.name} ${a.v3.applicationId}` : scenario.name;
      const fraction = (appRates[i]?.rate ?? 0) / LIMIT;
      const runFraction = (runRates[i] ?? 0) / LIMIT;
      checks.push({
        pass: fraction >= 0.9 && runFraction >= 0.9,
        text: `${where}: rate ÷ limit ≥ 0.9 (simulator ${round(fraction, 3)}, run summary ${round(runFraction, 3)})`,
      });
      checks.push({
        pass: (maxPerApp[i] ?? 0) <= LIMIT,
        text: `${where}: max requests in any 1 s ≤ ${LIMIT} (${maxPerApp[i]})`,
      });
    });
    checks.push({
      pass: counters.duplicateGrants === 0,
      text: `${scenario.name}: duplicate grants = 0 (${counters.duplicateGrants})`,
    });
    return { rows: [row], checks };
  } finally {
    if (poller) clearInterval(poller);
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.allSettled(children.map((c) => c.exited));
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await deletePrefix(redis, prefix);
    await redis.quit();
    await sim.close();
    await rm(reportDir, { recursive: true, force: true });
    await cluster?.close();
  }
}
