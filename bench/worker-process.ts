/**
 * One migration worker in its own process, so its CPU time and RSS are its own. Configured by
 * BENCH_WORKER_CONFIG (JSON, see `WorkerProcessConfig`). Sends `{type: 'ready'}` over IPC once it takes
 * jobs; on `{type: 'stop'}` (or SIGTERM) it stops gracefully, sends its `worker-stats` and exits.
 */
import { Redis } from 'ioredis';
import { parseAppsRegistry } from '../src/config/apps-registry.js';
import { createNylasClientFactory } from '../src/nylas/client-factory.js';
import { createMigrationWorker } from '../src/queue/migration-worker.js';
import { silentLogger } from '../src/shared/logger.js';
import { cpuMs, sendToParent } from './child-ipc.js';
import type { WorkerProcessConfig } from './setup.js';

const send = sendToParent;

try {
  const config = JSON.parse(process.env.BENCH_WORKER_CONFIG ?? '{}') as WorkerProcessConfig;
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const worker = createMigrationWorker({
    redis: connection,
    prefix: config.prefix,
    registry: parseAppsRegistry(config.registryYaml, 'bench-registry', {}),
    nylas: createNylasClientFactory({ hosts: config.hosts, http: config.http }),
    notifier: { event: async () => {}, progress: async () => {}, uploadReport: async () => {} },
    verifyAdmin: async () => ({ ok: true }),
    logger: silentLogger,
    settings: { ...config.settings, reportDir: config.reportDir },
    ratePerSecond: config.ratePerSecond,
    httpTimeoutMs: config.http.timeoutMs ?? 15_000,
    leaseTtlMs: config.leaseTtlMs,
    concurrency: config.concurrency,
    workerId: `bench-${process.pid}`,
  });
  let jobs = 0;
  worker.worker.on('active', () => {
    jobs++;
  });
  await worker.ready();
  const cpuAtReady = cpuMs();
  await send({ type: 'ready' });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await worker.close();
    await connection.quit();
    const total = cpuMs();
    await send({
      type: 'worker-stats',
      cpuMs: total - cpuAtReady,
      cpuMsTotal: total,
      maxRssKb: process.resourceUsage().maxRSS,
      jobs,
    });
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') void stop();
  });
  process.once('SIGTERM', () => void stop());
  // The parent went away without telling us: don't linger.
  process.once('disconnect', () => void stop());
} catch (error) {
  await send({
    type: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
}
