/**
 * One migration worker in its own process, for the crash tests (killed with SIGKILL, stopped with
 * SIGTERM) and the benchmarks (its CPU time and RSS are its own). Configured by WORKER_PROCESS_CONFIG
 * (JSON, see config.ts). Says "ready" once it takes jobs and "exited" after a graceful stop, on stdout
 * and, when the parent opened an IPC channel, as messages (with its CPU and memory figures).
 */
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import { createWorkerConnection } from '../../src/coordination/redis-connections.js';
import { createNylasClientFactory } from '../../src/nylas/client-factory.js';
import { createMigrationWorker } from '../../src/queue/migration-worker.js';
import { silentLogger } from '../../src/shared/logger.js';
import { WORKER_PROCESS_ENV, type WorkerProcessConfig, type WorkerProcessMessage } from './config.js';

const send = (message: WorkerProcessMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });

/** CPU time of this process so far (user + system), in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

try {
  const config = JSON.parse(process.env[WORKER_PROCESS_ENV] ?? '{}') as WorkerProcessConfig;
  const connection = createWorkerConnection(config.redisUrl);
  const worker = createMigrationWorker({
    redis: connection,
    prefix: config.prefix,
    registry: parseAppsRegistry(config.registryYaml, 'child-registry', {}),
    nylas: createNylasClientFactory({ hosts: config.hosts, http: config.http }),
    notifier: { event: async () => {}, progress: async () => {}, uploadReport: async () => {} },
    verifyAdmin: async () => ({ ok: true }),
    logger: silentLogger,
    settings: { ...config.settings, reportDir: config.reportDir },
    ratePerSecond: config.ratePerSecond,
    httpTimeoutMs: config.http.timeoutMs ?? 15_000,
    leaseTtlMs: config.leaseTtlMs,
    ...(config.lockDurationMs ? { lockDurationMs: config.lockDurationMs } : {}),
    ...(config.stalledIntervalMs ? { stalledIntervalMs: config.stalledIntervalMs } : {}),
    ...(config.drainTimeoutMs ? { drainTimeoutMs: config.drainTimeoutMs } : {}),
    ...(config.concurrency ? { concurrency: config.concurrency } : {}),
    workerId: `${config.label}-${process.pid}`,
  });
  let jobs = 0;
  worker.worker.on('active', () => {
    jobs++;
  });
  await worker.ready();
  const cpuAtReady = cpuMs();
  process.stdout.write('ready\n');
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
    process.stdout.write('exited\n');
    process.exit(0);
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') void stop();
  });
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  // A parent that opened an IPC channel and went away without telling us: don't linger.
  if (process.send) process.once('disconnect', () => void stop());
} catch (error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${message}\n`);
  await send({ type: 'error', message });
  process.exit(1);
}
