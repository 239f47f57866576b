import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import { maxInSlidingWindow } from '../../src/coordination/rate-budget.js';
import type { MigrationRef } from '../../src/migration/notifier.js';
import { emptyCounts } from '../../src/migration/progress.js';
import { silentLogger } from '../../src/shared/logger.js';
import { CHAT_UPDATES_PER_MINUTE, createSlackPacing } from '../../src/slack/slack-pacing.js';
import { createThreadNotifier } from '../../src/slack/thread-notifier.js';
import { localRegistryYaml } from '../../testkit/local-stack.js';
import { type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';
import { simClient } from '../sim/slack-client.js';

let sim: SlackSim;
const redis: Redis[] = [];
const prefix = `test:edit-budget:${randomUUID()}`;

beforeAll(async () => {
  // Slack's limits on: chat.update beyond 50 a minute in the workspace is answered 429.
  sim = await startSlackSim({ rateLimits: true });
  redis.push(new Redis({ host: '127.0.0.1', port: 6379 }), new Redis({ host: '127.0.0.1', port: 6379 }));
});
afterAll(async () => {
  const keys = await redis[0]?.keys(`${prefix}:*`);
  if (keys?.length) await redis[0]?.del(...keys);
  await Promise.all(redis.map((r) => r.quit()));
  await sim.close();
});

describe('progress edits of runs on two workers share the workspace’s chat.update budget', () => {
  it('stay inside it without waiting: an edit with no free slot is skipped, not queued', async () => {
    const registry = parseAppsRegistry(localRegistryYaml(), 'test-registry', {});
    // Two workers: each its own Redis connection, its own notifier, its own run in its own channel.
    const workers = redis.map((connection) => {
      const pacing = createSlackPacing(connection, { keyPrefix: prefix, teamId: 'T_TEST' });
      const client = simClient(sim);
      return {
        pacing,
        notifier: createThreadNotifier({
          client,
          progressClient: client,
          pacing,
          registry,
          logger: silentLogger,
          minEditIntervalMs: 0,
        }),
      };
    });
    const refs: MigrationRef[] = [];
    for (const [i, channel] of ['C_GENERAL', 'C_MIGRATIONS'].entries()) {
      const posted = await simClient(sim).chat.postMessage({ channel, text: `run ${i}` });
      refs.push({
        migrationId: `mig_edit_${i}`,
        v2AppId: 'v2-acme',
        v3AppId: 'v3-acme',
        title: `Run ${i}`,
        environment: 'Production',
        requestedBy: 'U_ADMIN',
        mode: 'all',
        slack: { channel, threadTs: posted.ts },
      });
    }

    // Both runs report progress every 10 ms for 4 s: 800 chances to edit, far beyond 50 a minute.
    const total = 10_000;
    const started = performance.now();
    let slowest = 0;
    for (let done = 0; performance.now() - started < 4_000; done += 100) {
      await Promise.all(
        workers.map(async ({ notifier }, i) => {
          const before = performance.now();
          const ref = refs[i] as MigrationRef;
          await notifier.progress(ref, { step: 'listing', done, total, counts: emptyCounts() });
          slowest = Math.max(slowest, performance.now() - before);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const elapsedMs = performance.now() - started;

    const edits = sim.calls().filter((c) => c.method === 'chat.update');
    expect(edits.filter((c) => c.status === 429)).toEqual([]);
    // At 45 a minute the slots are 1.33 s apart: the two workers together got one per slot at most.
    const slots = Math.floor(elapsedMs / (60_000 / CHAT_UPDATES_PER_MINUTE)) + 1;
    expect(edits.length).toBeGreaterThan(0);
    expect(edits.length).toBeLessThanOrEqual(slots);
    expect(
      maxInSlidingWindow(
        edits.map((c) => c.at),
        60_000,
      ),
    ).toBeLessThan(50);
    // No progress update waited for a slot.
    expect(slowest).toBeLessThan(1_000);
  });
});
