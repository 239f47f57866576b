import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../testkit/free-port.js';

/** Redis for the demo: the one at REDIS_URL, or a private redis-server started (and stopped) by us. */
export interface DemoRedis {
  url: string;
  kind: 'existing' | 'private';
  /** For `existing`: deletes the demo's keys. For `private`: stops the server and removes its directory. */
  stop(prefix: string): Promise<void>;
}

/** No Redis answers and none can be started: the message is one line of advice. */
export class NoRedisError extends Error {}

const INSTALL_HINT =
  'install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a running one';

/** The URL as it may be printed: a password in it is masked. */
export function redisLabel(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return 'REDIS_URL (unparseable)';
  }
}

/** PING with short timeouts and no retries; false for anything but PONG. */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {}); // reported by the result
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under `prefix:` (SCAN + UNLINK, in pages). */
export async function deletePrefix(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  client.on('error', () => {});
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

async function startPrivate(): Promise<DemoRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'migrate-bot-demo-redis-'));
  let lastError = 'it did not answer';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    // Its own process group: a Ctrl-C in the terminal reaches the demo, which stops Redis last.
    const child: ChildProcess = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    child.once('error', (error) => {
      exited = true;
      output += error.message;
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 5_000;
    while (!exited && Date.now() < deadline) {
      if (await redisAnswers(url, 500)) {
        return {
          url,
          kind: 'private',
          async stop() {
            process.off('exit', killOnExit);
            if (!exited) {
              const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
              child.kill('SIGTERM');
              const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
              await gone;
              clearTimeout(timer);
            }
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    lastError = output.trim().split('\n').pop() || lastError;
  }
  await rm(dir, { recursive: true, force: true });
  throw new NoRedisError(`could not start a private redis-server (${lastError})`);
}

/**
 * Uses the Redis at `url` if it answers (the demo's keys are deleted afterwards); otherwise starts a
 * private redis-server on a free port of 127.0.0.1, without persistence, in its own temp directory.
 * Throws {@link NoRedisError} when neither works.
 */
export async function findOrStartRedis(url: string): Promise<DemoRedis> {
  if (await redisAnswers(url)) {
    return {
      url,
      kind: 'existing',
      async stop(prefix) {
        await deletePrefix(url, prefix);
      },
    };
  }
  if (!onPath('redis-server')) {
    throw new NoRedisError(
      `no Redis answers at ${redisLabel(url)} and redis-server is not installed: ${INSTALL_HINT}`,
    );
  }
  return startPrivate();
}
