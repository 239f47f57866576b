import { Cluster } from 'ioredis';
import type { RedisConnection } from '../coordination/redis-connections.js';

/** Deletes every key under `prefix:` (the demo, tests and benchmarks clean up after themselves). */
export async function deleteKeysUnder(redis: RedisConnection, prefix: string): Promise<void> {
  // SCAN sees one server's keys: on a cluster, ask each master.
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000);
      cursor = next;
      // One key per command: keys of several hash slots cannot share one command on a cluster.
      if (keys.length > 0) await keys.reduce((batch, key) => batch.unlink(key), server.pipeline()).exec();
    } while (cursor !== '0');
  }
}

/** A cluster prefix is a hash tag (`{migrate}`): braces are literal in SCAN's glob, but `[` etc. are not. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
