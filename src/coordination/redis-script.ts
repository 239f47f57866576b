import { createHash } from 'node:crypto';
import type { RedisConnection } from './redis-connections.js';

/** A Lua script and its SHA-1, so it is sent once and then run by hash. */
export interface RedisScript {
  readonly lua: string;
  readonly sha: string;
}

export type ScriptRedis = Pick<RedisConnection, 'evalsha' | 'eval'>;

export function redisScript(lua: string): RedisScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** Runs `script` by hash; if the server forgot it (restart, SCRIPT FLUSH), EVAL loads it again. */
export async function runScript(
  redis: ScriptRedis,
  script: RedisScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const params = [...keys, ...args];
  try {
    return await redis.evalsha(script.sha, keys.length, ...params);
  } catch (error) {
    if (!(error instanceof Error && error.message.includes('NOSCRIPT'))) throw error;
    return await redis.eval(script.lua, keys.length, ...params);
  }
}
