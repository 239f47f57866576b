/**
 * Writes one migration's CSV report from Redis in its own process, so the peak RSS is the report's.
 * Configured by BENCH_REPORT_CONFIG (JSON, see `ReportProcessConfig`); sends `report-stats` over IPC.
 */
import { stat } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { writeReport } from '../src/migration/report.js';
import { createRunReader } from '../src/store/run-store.js';
import { cpuMs, sendToParent } from './child-ipc.js';
import type { ReportProcessConfig } from './setup.js';

const send = sendToParent;

try {
  const config = JSON.parse(process.env.BENCH_REPORT_CONFIG ?? '{}') as ReportProcessConfig;
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  await redis.ping();
  const maxRssKbBefore = process.resourceUsage().maxRSS;
  const cpuBefore = cpuMs();
  const started = performance.now();
  const rows = await writeReport(createRunReader(redis, config.prefix, config.migrationId), config.path);
  const ms = performance.now() - started;
  const cpu = cpuMs() - cpuBefore;
  const maxRssKb = process.resourceUsage().maxRSS;
  const { size } = await stat(config.path);
  await redis.quit();
  await send({ type: 'report-stats', rows, ms, bytes: size, cpuMs: cpu, maxRssKbBefore, maxRssKb });
  process.exit(0);
} catch (error) {
  await send({
    type: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
}
