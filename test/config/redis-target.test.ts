import { describe, expect, it } from 'vitest';
import { describeRedisTarget, keyPrefixFor, parseRedisTarget } from '../../src/config/redis-target.js';

describe('REDIS_URL: one server or a cluster', () => {
  it('keeps a redis:// or rediss:// URL as one server', () => {
    expect(parseRedisTarget('redis://:pw@127.0.0.1:6380/2')).toEqual({
      kind: 'single',
      url: 'redis://:pw@127.0.0.1:6380/2',
    });
    expect(parseRedisTarget('rediss://cache.internal')).toMatchObject({ kind: 'single' });
  });

  it('reads cluster seeds, credentials (percent-decoded), TLS and the default port', () => {
    expect(parseRedisTarget('rediss+cluster://ops:p%40ss@node-a:7000,node-b,[::1]:7002/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'node-a', port: 7000 },
        { host: 'node-b', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      username: 'ops',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisTarget('redis+cluster://:only-password@h:1')).toMatchObject({
      username: undefined,
      password: 'only-password',
      tls: false,
    });
  });

  it.each([
    ['redis+cluster://', 'names a cluster node that is not host:port ("(empty)")'],
    ['redis+cluster://a:7000,,b:7001', 'names a cluster node that is not host:port ("(empty)")'],
    ['redis+cluster://a:99999', 'names a cluster node that is not host:port ("a:99999")'],
    ['redis+cluster://u:%E0%A4%A@a:1', 'has credentials that are not percent-encoded correctly'],
    ['http://a:1', 'must be a redis:// URL, or redis+cluster://host:port,host:port for a Redis Cluster'],
  ])('refuses %s', (value, error) => {
    expect(parseRedisTarget(value)).toEqual({ error });
  });

  it('describes where without the credentials', () => {
    const cluster = parseRedisTarget('redis+cluster://u:secret@a:7000,b:7001');
    const single = parseRedisTarget('redis://:secret@cache:6390');
    if ('error' in cluster || 'error' in single) throw new Error('should parse');
    expect(describeRedisTarget(cluster)).toBe('the Redis Cluster at a:7000, b:7001');
    expect(describeRedisTarget(single)).toBe('cache:6390');
  });

  it('hash-tags the key prefix on a cluster only, so BullMQ and our scripts find all keys in one slot', () => {
    const cluster = parseRedisTarget('redis+cluster://a:7000');
    const single = parseRedisTarget('redis://a:6379');
    if ('error' in cluster || 'error' in single) throw new Error('should parse');
    expect(keyPrefixFor(cluster)).toBe('{migrate}');
    expect(keyPrefixFor(single)).toBe('migrate');
  });
});
