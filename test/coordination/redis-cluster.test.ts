import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices } from '../../src/app/services.js';
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import { loadEnv } from '../../src/config/env.js';
import { parseRedisTarget } from '../../src/config/redis-target.js';
import { silentLogger } from '../../src/shared/logger.js';
import {
  canStartRedisCluster,
  type LocalRedisCluster,
  startRedisCluster,
} from '../../testkit/redis-cluster.js';
import { startSlackSim } from '../../testkit/slack-sim/index.js';
import { finalStatus, parseCsv, unjustifiedRepeats } from '../helpers/expected-rows.js';
import { startHarness, V2_APP, V2_OTHER, V3_APP, V3_OTHER } from '../helpers/worker-harness.js';

const available = await canStartRedisCluster();
let cluster: LocalRedisCluster | undefined;

beforeAll(async () => {
  if (available) cluster = await startRedisCluster(3);
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

describe.skipIf(!available)('on a real Redis Cluster (3 masters; needs redis-server and redis-cli)', () => {
  it('two workers run two migrations: one grant per account, each app ≤ 20 requests in any second, every key in one slot', async () => {
    if (!cluster) throw new Error('cluster not started');
    expect(parseRedisTarget(cluster.url)).toMatchObject({ kind: 'cluster' });
    const h = await startHarness({
      redisUrl: cluster.url,
      accounts: 120,
      otherAccounts: 80,
      sim: { migrationRateLimit: 20, latencyMs: { min: 5, max: 20 } },
      ratePerSecond: 19,
    });
    try {
      expect(h.redis).toBeInstanceOf(Cluster);
      expect(h.prefix).toMatch(/^\{test-mig-[0-9a-f]{8}\}$/);
      h.startWorker();
      h.startWorker();
      const [a, b] = await Promise.all([
        h.start(),
        h.start({ v2AppId: V2_OTHER.clientId, v3AppId: V3_OTHER.applicationId }),
      ]);
      const [ra, rb] = await Promise.all([
        h.waitFor(a.migrationId, undefined, 90_000),
        h.waitFor(b.migrationId, undefined, 90_000),
      ]);
      expect([ra.status, rb.status]).toEqual(['completed', 'completed']);

      // Exactly one grant per migrated account, and every row as the simulator's rules say.
      const counters = h.sim.counters();
      expect(counters.duplicateGrants).toBe(0);
      expect(unjustifiedRepeats(h.sim, V2_APP.clientId)).toEqual([]);
      expect(unjustifiedRepeats(h.sim, V2_OTHER.clientId)).toEqual([]);
      for (const [run, v2, v3] of [
        [a, V2_APP.clientId, V3_APP.applicationId],
        [b, V2_OTHER.clientId, V3_OTHER.applicationId],
      ] as const) {
        const report = h.recorder.reportOf(run.migrationId);
        if (!report) throw new Error(`no report for ${run.migrationId}`);
        const { rows } = parseCsv(report.csv);
        const accounts = h.sim.accounts(v2);
        expect(rows.map((r) => r.v2_account_id)).toEqual(accounts.map((x) => x.id));
        for (const [i, account] of accounts.entries())
          expect(rows[i]?.status).toBe(finalStatus(h.sim, v2, account));
        const grantOwners = h.sim.grants(v3).map((g) => g.account_id);
        expect(new Set(grantOwners).size).toBe(grantOwners.length);
        expect(grantOwners.length).toBe(rows.filter((r) => r.v3_grant_id !== '').length);
      }

      // The shared per-app budget held across the two workers.
      expect(counters.maxMigrationRequestsInAnyWindow[V3_APP.applicationId]).toBeLessThanOrEqual(20);
      expect(counters.maxMigrationRequestsInAnyWindow[V3_OTHER.applicationId]).toBeLessThanOrEqual(20);
      expect(counters.rateLimited).toBe(0);

      // Everything — BullMQ's keys and ours — sits in one hash slot, on one master.
      const cluster = h.redis as Cluster;
      const keys: string[] = [];
      const holders = new Set<string>();
      for (const node of cluster.nodes('master')) {
        let cursor = '0';
        do {
          const [next, found] = await node.scan(cursor, 'MATCH', `*${h.prefix.slice(1, -1)}*`, 'COUNT', 1000);
          cursor = next;
          keys.push(...found);
          if (found.length > 0) holders.add(`${node.options.host}:${node.options.port}`);
        } while (cursor !== '0');
      }
      expect(keys.some((k) => k.startsWith(`${h.prefix}:migrations:`))).toBe(true); // BullMQ's
      expect(keys.some((k) => k.startsWith(`${h.prefix}:mig:`))).toBe(true); // our records
      expect(keys.every((k) => k.startsWith(`${h.prefix}:`))).toBe(true);
      expect(holders.size).toBe(1);
      const slots = new Set(await Promise.all(keys.slice(0, 50).map((k) => cluster.cluster('KEYSLOT', k))));
      expect(slots.size).toBe(1);
    } finally {
      await h.close();
    }
  }, 150_000);

  it('the service takes REDIS_URL=redis+cluster://… as is and keys everything under {migrate}', async () => {
    if (!cluster) throw new Error('cluster not started');
    // The service learns its workspace from Slack (auth.test) at start: a stand-in answers.
    const slack = await startSlackSim();
    const env = loadEnv(
      { SLACK_BOT_TOKEN: slack.botToken, SLACK_API_URL: slack.apiUrl, REDIS_URL: cluster.url },
      'worker',
    );
    const registry = parseAppsRegistry(
      'v2_apps:\n  - {id: v2-a, name: A, region: us, client_secret: s}\nv3_apps:\n  - {id: v3-a, name: B, region: us, api_key: k}\n',
      'apps.yml',
      {},
    );
    const running = await startServices({ env, registry, role: 'worker', logger: silentLogger });
    try {
      expect(running.worker?.worker.opts.prefix).toBe('{migrate}');
      expect(running.worker?.worker.isRunning()).toBe(true);
    } finally {
      await running.close();
      await slack.close();
    }
  }, 30_000);
});
