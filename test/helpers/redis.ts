import { randomUUID } from 'node:crypto';
import { createWorkerConnection, type RedisConnection } from '../../src/coordination/redis-connections.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix per test, so suites never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${randomUUID().slice(0, 8)}`;
}

export function workerRedis(url = REDIS_URL, name?: string): RedisConnection {
  return createWorkerConnection(url, name ? { name } : {});
}

export { deleteKeysUnder as deletePrefix } from '../../src/store/delete-prefix.js';
