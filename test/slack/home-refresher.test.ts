import { afterEach, describe, expect, it } from 'vitest';
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import type { RedisConnection } from '../../src/coordination/redis-connections.js';
import { migrationRequestSchema, newMigrationId } from '../../src/migration/request.js';
import { createJsonLogger } from '../../src/shared/logger.js';
import { createAdminVerifier } from '../../src/slack/admin-verifier.js';
import { createHomeRefresher, type HomeRefresher } from '../../src/slack/home/home-refresher.js';
import { createPermalinks } from '../../src/slack/permalinks.js';
import { createMigrationRecords } from '../../src/store/migration-records.js';
import { LOCAL_APPS, localRegistryYaml } from '../../testkit/local-stack.js';
import { type SlackSim, startSlackSim, viewText } from '../../testkit/slack-sim/index.js';
import { deletePrefix, uniquePrefix, workerRedis } from '../helpers/redis.js';
import { simClient } from '../sim/slack-client.js';

const WINDOW_MS = 800;

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Two "processes" (a bot and a worker, say): each its own refresher and Redis connection, one prefix. */
async function setUp(): Promise<{
  sim: SlackSim;
  redis: RedisConnection;
  prefix: string;
  processes: HomeRefresher[];
}> {
  // The stand-in refuses a second publish to a user within 0.6 s: a broken throttle shows as a 429.
  const sim = await startSlackSim({ homePublishSpacingMs: 600 });
  cleanup.push(() => sim.close());
  const prefix = uniquePrefix('home');
  const registry = parseAppsRegistry(localRegistryYaml(), 'home-test', {});
  const logger = createJsonLogger({}, () => {});
  const client = simClient(sim, { rejectRateLimitedCalls: true });
  const processes = [0, 1].map(() => {
    const redis = workerRedis();
    cleanup.push(() => redis.quit());
    const refresher = createHomeRefresher({
      redis,
      prefix,
      client,
      records: createMigrationRecords(redis, prefix, `${prefix}:bull:`),
      registry,
      permalinks: createPermalinks(client),
      // No cache: a role lost is seen at the next publish.
      verifier: createAdminVerifier({ client, policy: { teamId: sim.teamId }, logger, cacheTtlMs: 0 }),
      logger,
      publishWindowMs: WINDOW_MS,
    });
    cleanup.push(async () => refresher.close());
    return refresher;
  });
  const redis = workerRedis();
  cleanup.push(async () => {
    await deletePrefix(redis, prefix);
    await redis.quit();
  });
  return { sim, redis, prefix, processes };
}

async function settled(redis: RedisConnection, prefix: string): Promise<true | undefined> {
  const keys = await redis.keys(`${prefix}:home:{pending,throttle}:*`);
  return keys.length === 0 ? true : undefined;
}

describe('the App Home refresher, shared by several processes through Redis', () => {
  it('a burst of changes from two processes: one publish per window, the last one from the records as they end', async () => {
    const { sim, redis, prefix, processes } = await setUp();
    const [bot, worker] = processes;
    if (!bot || !worker) throw new Error('two processes expected');
    await bot.opened({ userId: 'U_ADMIN', teamId: sim.teamId });
    await waitFor('the first publish', () => sim.homeView('U_ADMIN'));

    // Forty changes from both processes at once; a run appears in the records in the middle of it.
    const records = createMigrationRecords(redis, prefix, `${prefix}:bull:`);
    for (let i = 0; i < 20; i++) {
      bot.changed();
      worker.changed();
    }
    const createdAt = Date.now();
    await records.reserve(
      migrationRequestSchema.parse({
        migrationId: newMigrationId(createdAt),
        v2AppId: LOCAL_APPS.v2.clientId,
        v3AppId: LOCAL_APPS.v3.applicationId,
        title: 'Late in the burst',
        environment: 'Staging',
        options: {},
        requestedBy: 'U_OWNER',
        createdAt,
      }),
    );
    bot.changed();
    worker.changed();

    await waitFor('the Home to show the run', () =>
      viewText(sim.homeView('U_ADMIN')).includes('Late in the burst') ? true : undefined,
    );
    await waitFor('the throttle to settle', () => settled(redis, prefix));
    const publishes = sim.calls('views.publish');
    expect(publishes.filter((call) => call.status === 429)).toEqual([]);
    // The opening, then at most one per window for the whole burst (it lasts well under two windows).
    expect(publishes.length).toBeGreaterThanOrEqual(2);
    expect(publishes.length).toBeLessThanOrEqual(4);
    const text = viewText(sim.homeView('U_ADMIN'));
    expect(text).toContain('*Late in the burst* · Staging');
    expect(text).toContain('requested by @U_OWNER');
    expect(text).toContain(':hourglass: starting');
  });

  it('counts the window from the publish, not from the slot: a slow admin check never brings two publishes closer', async () => {
    const { sim, redis, prefix, processes } = await setUp();
    const [bot] = processes;
    if (!bot) throw new Error('a process expected');
    // The first publish waits 500 ms for users.info after taking its slot (a window of 800 ms).
    sim.setLatency('users.info', 500);
    await bot.opened({ userId: 'U_ADMIN', teamId: sim.teamId });
    await waitFor('the first publish', () => sim.homeView('U_ADMIN'));
    sim.setLatency('users.info', 0);
    // Counted from the slot, the next one could go 300 ms after the first: Slack (600 ms here) says 429.
    bot.changed();
    await waitFor('the second publish', () => (sim.calls('views.publish').length >= 2 ? true : undefined));
    await waitFor('the throttle to settle', () => settled(redis, prefix));
    const publishes = sim.calls('views.publish');
    expect(publishes.filter((call) => call.status === 429)).toEqual([]);
    const [first, second] = publishes.map((call) => call.at);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(600); // the stand-in's spacing
  });

  it('publishes no runs to someone who is not an admin, and stops refreshing an admin who lost the role', async () => {
    const { sim, redis, prefix, processes } = await setUp();
    const [bot] = processes;
    if (!bot) throw new Error('a process expected');
    await bot.opened({ userId: 'U_OWNER', teamId: sim.teamId });
    await waitFor('the owner Home', () => sim.homeView('U_OWNER'));
    expect(viewText(sim.homeView('U_OWNER'))).toContain('No migrations yet');
    await waitFor('the throttle to settle', () => settled(redis, prefix));

    // Demoted: the next refresh shows the explanation instead of the runs, and the owner is forgotten.
    sim.upsertUser({ id: 'U_OWNER', name: 'otto.owner', realName: 'Otto Owner' });
    bot.changed();
    await waitFor('the explanation on the demoted Home', () =>
      viewText(sim.homeView('U_OWNER')).includes('verified workspace admins only') ? true : undefined,
    );
    await waitFor('the throttle to settle', () => settled(redis, prefix));
    expect(await redis.hkeys(`${prefix}:home:viewers`)).toEqual([]);
    const published = sim.calls('views.publish').length;
    bot.changed();
    // Nobody is left to refresh: the change publishes nothing (the marker below is the next publish).
    await bot.opened({ userId: 'U_MEMBER', teamId: sim.teamId });
    await waitFor('the member Home', () => sim.homeView('U_MEMBER'));
    expect(
      sim
        .calls('views.publish')
        .slice(published)
        .map((call) => call.args.user_id),
    ).toEqual(['U_MEMBER']);
    expect(viewText(sim.homeView('U_MEMBER'))).toContain('only workspace admins and owners');
  });

  it('a publish Slack fails (HTTP 500) is tried again after the window: the Home still ends up published', async () => {
    const { sim, redis, prefix, processes } = await setUp();
    const [bot] = processes;
    if (!bot) throw new Error('a process expected');
    sim.failNext({ method: 'views.publish', kind: 'http_500', times: 1 });
    // The caller (the event listener) logs this one as dropped; the refresh itself is kept pending.
    await expect(bot.opened({ userId: 'U_ADMIN', teamId: sim.teamId })).rejects.toThrow(/500/);
    await waitFor('the Home, published on the second try', () => sim.homeView('U_ADMIN'));
    await waitFor('the throttle to settle', () => settled(redis, prefix));
    expect(sim.calls('views.publish').map((call) => call.status)).toEqual([500, 200]);
  });
});
