/**
 * Where Redis is, from `REDIS_URL`: one server (`redis://`, `rediss://`) or a Redis Cluster
 * (`redis+cluster://[user:password@]host:port,host:port,…`, `rediss+cluster://` for TLS). A cluster
 * needs only some of its nodes as seeds: the client learns the rest from them.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster';
      nodes: ReadonlyArray<{ host: string; port: number }>;
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    };

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\/(.*)$/;
const SEED = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

/** The target, or why the value is not one (a sentence that completes "REDIS_URL …"). */
export function parseRedisTarget(value: string): RedisTarget | { error: string } {
  const cluster = CLUSTER_SCHEME.exec(value);
  if (!cluster) {
    if (URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol))
      return { kind: 'single', url: value };
    return { error: 'must be a redis:// URL, or redis+cluster://host:port,host:port for a Redis Cluster' };
  }
  const [, scheme, rest = ''] = cluster;
  // The credentials end at the last "@" (a password may contain "@" only percent-encoded, as in URLs).
  const at = rest.lastIndexOf('@');
  const userInfo = at >= 0 ? rest.slice(0, at) : undefined;
  const hostList = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/$/, '');
  const nodes: Array<{ host: string; port: number }> = [];
  for (const seed of hostList.split(',')) {
    const match = SEED.exec(seed.trim());
    const port = Number(match?.[2] ?? 6379);
    if (!match?.[1] || port < 1 || port > 65535)
      return { error: `names a cluster node that is not host:port ("${seed.trim() || '(empty)'}")` };
    nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  let username: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    try {
      username = decodeURIComponent(colon >= 0 ? userInfo.slice(0, colon) : userInfo) || undefined;
      password = colon >= 0 ? decodeURIComponent(userInfo.slice(colon + 1)) || undefined : undefined;
    } catch {
      return { error: 'has credentials that are not percent-encoded correctly' };
    }
  }
  return { kind: 'cluster', nodes, username, password, tls: scheme === 'rediss' };
}

/** Host:port list for messages (never the credentials). */
export function describeRedisTarget(target: RedisTarget): string {
  if (target.kind === 'cluster')
    return `the Redis Cluster at ${target.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`;
  const { hostname, port } = new URL(target.url);
  return `${hostname}:${port || 6379}`;
}

/**
 * The key prefix of everything the app and BullMQ write. On a cluster it is a hash tag (`{migrate}`):
 * every key then hashes to one slot, which BullMQ's Lua scripts and ours need (a script may only touch
 * keys of one slot).
 */
export function keyPrefixFor(target: RedisTarget, name = 'migrate'): string {
  return target.kind === 'cluster' ? `{${name}}` : name;
}
