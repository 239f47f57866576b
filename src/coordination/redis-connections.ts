import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { parseRedisTarget, type RedisTarget } from '../config/redis-target.js';

/** A connection to one Redis server or to a Redis Cluster: everything in src takes either. */
export type RedisConnection = Redis | Cluster;

/**
 * For BullMQ workers and the run's own writes: commands wait for Redis to come back rather than fail,
 * as BullMQ requires (`maxRetriesPerRequest: null`). A command whose answer was lost in a disconnect is
 * NOT sent again: our fenced scripts (append a page, count results) are not idempotent, so a lost
 * answer fails the job's attempt instead, and the retry resumes from what Redis really holds.
 */
export function createWorkerConnection(url: string, options: { name?: string } = {}): RedisConnection {
  return connect(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    autoResendUnfulfilledCommands: false,
    // Shown by CLIENT LIST (and kept by every duplicate: BullMQ's blocking reads, the run's own).
    ...(options.name ? { connectionName: options.name } : {}),
  });
}

/**
 * For the web-facing bot: fail fast, so a Redis outage becomes a clear Slack message instead of an
 * `ack` that hangs past Slack's 3 seconds.
 */
export function createFailFastConnection(url: string): RedisConnection {
  return connect(
    url,
    { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, commandTimeout: 1_500 },
    // A cluster queues commands while it (re)learns its slots unless told not to.
    { enableOfflineQueue: false },
  );
}

/** A second connection like `connection`, whose commands time out after `commandTimeoutMs`. */
export function duplicateWithCommandTimeout(
  connection: RedisConnection,
  commandTimeoutMs: number,
): RedisConnection {
  if (connection instanceof Cluster)
    return connection.duplicate(undefined, { redisOptions: { commandTimeout: commandTimeoutMs } });
  return connection.duplicate({ commandTimeout: commandTimeoutMs });
}

/** Resolves once the connection answers (a cluster: once it knows its slots), or rejects after 5 s. */
export async function waitReady(connection: RedisConnection, timeoutMs = 5_000): Promise<void> {
  if (connection.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off('ready', onReady);
      reject(new Error(`Redis did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    connection.once('ready', onReady);
  });
}

function connect(url: string, options: RedisOptions, clusterOptions: ClusterOptions = {}): RedisConnection {
  const target = parseRedisTarget(url);
  if ('error' in target) throw new Error(`REDIS_URL ${target.error}`);
  return target.kind === 'single'
    ? new Redis(target.url, options)
    : connectCluster(target, options, clusterOptions);
}

function connectCluster(
  target: Extract<RedisTarget, { kind: 'cluster' }>,
  options: RedisOptions,
  clusterOptions: ClusterOptions,
): Cluster {
  return new Cluster([...target.nodes], {
    ...clusterOptions,
    enableReadyCheck: true,
    redisOptions: {
      ...options,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
  });
}
