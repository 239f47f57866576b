import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import type { RedisConnection } from '../../src/coordination/redis-connections.js';
import type { AdminCheck, RunSettings } from '../../src/migration/ports.js';
import { createNylasClientFactory } from '../../src/nylas/client-factory.js';
import { createMigrationQueue, migrationJobKeyPrefix } from '../../src/queue/migration-queue.js';
import { createMigrationWorker, type MigrationWorker } from '../../src/queue/migration-worker.js';
import type { NewMigration } from '../../src/queue/producer.js';
import { createMigrationProducer } from '../../src/queue/producer.js';
import { silentLogger } from '../../src/shared/logger.js';
import {
  createMigrationRecords,
  FINISHED_STATUSES,
  type MigrationRecord,
  type MigrationStatus,
} from '../../src/store/migration-records.js';
import { type NylasSim, type NylasSimOptions, startNylasSim } from '../../testkit/nylas-sim/index.js';
import type { WorkerProcessConfig } from '../../testkit/worker-process/config.js';
import { waitForJobSettled } from './job-settled.js';
import { createRecordingNotifier } from './recording-notifier.js';
import { deletePrefix, REDIS_URL, uniquePrefix, workerRedis } from './redis.js';

export const V2_APP = { clientId: 'v2-acme', clientSecret: 'v2-acme-secret' };
export const V3_APP = { applicationId: 'v3-acme', apiKey: 'nyk_v0_acme' };
export const V3_OTHER = { applicationId: 'v3-other', apiKey: 'nyk_v0_other' };
export const V2_OTHER = { clientId: 'v2-other', clientSecret: 'v2-other-secret' };

/** Timings for tests: short leases and stalls so crash recovery takes seconds. */
export const TEST_HTTP = { timeoutMs: 1_000, maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200 };
export const TEST_WORKER = {
  leaseTtlMs: 2_500,
  lockDurationMs: 2_000,
  stalledIntervalMs: 1_000,
  drainTimeoutMs: 5_000,
};
export const TEST_SETTINGS: Partial<RunSettings> = {
  ambiguousSettleMs: 50,
  cancelPollMs: 50,
  progressIntervalMs: 100,
  nylasJobPollMs: 50,
  // Under the simulator's 50/s v3 limit, with room for the chunk lookups and reads of other calls.
  lookupsPerSecond: 30,
};

export interface HarnessOptions {
  accounts?: number;
  otherAccounts?: number;
  sim?: Partial<NylasSimOptions>;
  /** Pace of the shared budget (the simulator's limit is set in `sim.migrationRateLimit`). */
  ratePerSecond?: number;
  verifyAdmin?: AdminCheck;
  settings?: Partial<RunSettings>;
  /** Another Redis (a cluster's `redis+cluster://` URL); the keys then live under a hash tag. */
  redisUrl?: string;
}

/** The CLIENT SETNAME of a harness's worker connections (Redis names: no spaces or braces). */
export const workerConnectionName = (prefix: string) => `harness-${prefix.replace(/[^A-Za-z0-9-]/g, '')}`;

export const allowEveryone: AdminCheck = async () => ({ ok: true });

/** Everything a worker test needs: the simulator, Redis under a unique prefix, producer, workers. */
export async function startHarness(options: HarnessOptions = {}) {
  const sim: NylasSim = await startNylasSim({
    v2Apps: [
      { ...V2_APP, accounts: options.accounts ?? 200, seed: 11, region: 'us' },
      { ...V2_OTHER, accounts: options.otherAccounts ?? 50, seed: 12, region: 'us' },
    ],
    v3Apps: [
      { ...V3_APP, region: 'us' },
      { ...V3_OTHER, region: 'us' },
      { applicationId: 'v3-eu', apiKey: 'nyk_v0_eu', region: 'eu' },
    ],
    migrationRateLimit: 100,
    retryAfter: 'alternate',
    ...options.sim,
  });
  const registryYaml = `
v2_apps:
  - {id: ${V2_APP.clientId}, name: Acme v2, region: us, client_secret: ${V2_APP.clientSecret}}
  - {id: ${V2_OTHER.clientId}, name: Other v2, region: us, client_secret: ${V2_OTHER.clientSecret}}
v3_apps:
  - {id: ${V3_APP.applicationId}, name: Acme v3, region: us, api_key: ${V3_APP.apiKey}}
  - {id: ${V3_OTHER.applicationId}, name: Other v3, region: us, api_key: ${V3_OTHER.apiKey}}
  - {id: v3-eu, name: Acme EU, region: eu, api_key: nyk_v0_eu}
  - {id: v3-badkey, name: Wrong key, region: us, api_key: nyk_v0_not_the_key}
`;
  const registry = parseAppsRegistry(registryYaml, 'test-registry', {});
  const hosts = { us: { v2: sim.url, v3: sim.url }, eu: { v2: sim.url, v3: sim.url } };
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const cluster = redisUrl.includes('+cluster://');
  const prefix = cluster ? `{${uniquePrefix('mig')}}` : uniquePrefix('mig');
  const redis: RedisConnection = workerRedis(redisUrl);
  const records = createMigrationRecords(redis, prefix, migrationJobKeyPrefix(prefix));
  const queue = createMigrationQueue(redis, prefix);
  const producer = createMigrationProducer({
    records,
    queue,
    logger: silentLogger,
    attempts: { attempts: 2, backoff: { type: 'fixed', delay: 200 } },
  });
  const recorder = createRecordingNotifier();
  const reportDir = await mkdtemp(join(tmpdir(), 'reports-'));
  const workers: MigrationWorker[] = [];
  const connections: RedisConnection[] = [];

  const startWorker = (extra: { workerId?: string } = {}) => {
    // Named after the prefix, so a test can cut exactly this harness's worker connections.
    const connection = workerRedis(redisUrl, workerConnectionName(prefix));
    connections.push(connection);
    const worker = createMigrationWorker({
      redis: connection,
      prefix,
      registry,
      nylas: createNylasClientFactory({ hosts, http: TEST_HTTP }),
      notifier: recorder.notifier,
      verifyAdmin: options.verifyAdmin ?? allowEveryone,
      logger: silentLogger,
      settings: { ...TEST_SETTINGS, reportDir, ...options.settings },
      ratePerSecond: options.ratePerSecond ?? 90,
      httpTimeoutMs: TEST_HTTP.timeoutMs,
      reportRetryMs: 200,
      ...TEST_WORKER,
      ...extra,
    });
    workers.push(worker);
    return worker;
  };

  async function waitFor(
    migrationId: string,
    statuses: readonly MigrationStatus[] = ['completed', 'cancelled', 'failed'],
    timeoutMs = 45_000,
  ): Promise<MigrationRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await records.get(migrationId);
      if (record && statuses.includes(record.status)) {
        // A finished record is written inside the job: also wait until BullMQ has finished the job
        // (apps released, job out of `active`), so what a test reads next is the final state.
        if (FINISHED_STATUSES.includes(record.status)) await waitForJobSettled(queue, migrationId);
        return record;
      }
      if (Date.now() > deadline)
        throw new Error(
          `migration ${migrationId} still ${record?.status ?? 'missing'} after ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const request = (overrides: Partial<NewMigration> = {}): NewMigration => ({
    v2AppId: V2_APP.clientId,
    v3AppId: V3_APP.applicationId,
    title: 'Acme on v3',
    environment: 'Production',
    description: 'Moved by migrate-bot',
    options: {},
    requestedBy: 'U_ADMIN',
    slack: { channel: 'C_GENERAL', threadTs: '1700000000.000100' },
    ...overrides,
  });

  async function start(overrides: Partial<NewMigration> = {}) {
    const outcome = await producer.start(request(overrides));
    if (!outcome.ok) throw new Error(`could not start: ${outcome.code}`);
    return outcome.request;
  }

  /** What a worker in a child process needs to join this harness (see testkit/worker-process/). */
  const childConfig = (): WorkerProcessConfig => ({
    redisUrl,
    prefix,
    registryYaml,
    hosts,
    reportDir,
    ratePerSecond: options.ratePerSecond ?? 90,
    http: TEST_HTTP,
    ...TEST_WORKER,
    settings: { ...TEST_SETTINGS, ...options.settings },
    label: 'child',
  });

  return {
    sim,
    registry,
    childConfig,
    prefix,
    redis,
    records,
    queue,
    producer,
    recorder,
    reportDir,
    hosts,
    startWorker,
    waitFor,
    request,
    start,
    async close() {
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled(connections.map((c) => c.quit()));
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await deletePrefix(redis, prefix);
      await redis.quit();
      await sim.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
