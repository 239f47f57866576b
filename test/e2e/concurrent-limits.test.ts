import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxInSlidingWindow } from '../../src/coordination/rate-budget.js';
import { parseCsv } from '../helpers/expected-rows.js';
import { type Stack, startStack } from '../helpers/stack.js';

/** Five independent pairs, 20 accounts each. */
const PAIRS = [1, 2, 3, 4, 5].map((n) => ({
  v2: { clientId: `v2-five-${n}`, clientSecret: `v2-five-${n}-secret`, name: `Five ${n} v2` },
  v3: { applicationId: `v3-five-${n}`, apiKey: `nyk_v0_five_${n}`, name: `Five ${n} v3` },
}));
const ACCOUNTS = 20;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    // Slack's limits on, strictly: 1 message a second per channel, Tier 3 at 50 a minute.
    slack: { rateLimits: true },
    env: { MIGRATE_CHANNEL: 'C_MIGRATIONS' },
    nylas: {
      v2Apps: PAIRS.map((p, i) => ({ ...p.v2, accounts: ACCOUNTS, seed: 40 + i, region: 'us' as const })),
      v3Apps: PAIRS.map((p) => ({ ...p.v3, region: 'us' as const })),
    },
    extraApps: {
      v2: PAIRS.map(
        (p) => `{id: ${p.v2.clientId}, name: ${p.v2.name}, region: us, client_secret: ${p.v2.clientSecret}}`,
      ),
      v3: PAIRS.map(
        (p) => `{id: ${p.v3.applicationId}, name: ${p.v3.name}, region: us, api_key: ${p.v3.apiKey}}`,
      ),
    },
  });
});
afterAll(async () => {
  await stack.close();
});

// Five runs tell their stories in one channel: ~55 messages at Slack's 1 message/s, and progress edits
// from all five against one chat.update budget of 50 a minute for the workspace. Posts are paced per
// channel and edits per workspace in Redis (src/slack/slack-pacing.ts); progress edits that find no
// free slot are skipped. Before that, later runs starved (see the history of this file).
describe('five migrations at once under Slack’s rate limits', () => {
  it('all five finish, each thread gets its summary and its full report, in one shared channel', async () => {
    // Five admins' forms, confirmed together.
    await Promise.all(
      PAIRS.map((pair, i) =>
        stack.startMigration(
          'U_ADMIN',
          { v2AppId: pair.v2.clientId, v3AppId: pair.v3.applicationId, title: `Five ${i + 1}` },
          'C_GENERAL',
        ),
      ),
    );
    const ids = new Set<string>();
    for (const pair of PAIRS) {
      const record = await stack.waitFor(
        `the run of ${pair.v2.clientId}`,
        async () => {
          const found = (await stack.records.recent(20)).find((r) => r.request.v2AppId === pair.v2.clientId);
          return found && ['completed', 'failed', 'cancelled'].includes(found.status) ? found : undefined;
        },
        150_000,
      );
      expect(record.status).toBe('completed');
      expect(record.summary?.total).toBe(ACCOUNTS);
      ids.add(record.request.migrationId);
      const thread = record.request.slack;
      if (!thread?.threadTs) throw new Error('no thread');
      expect(thread.channel).toBe('C_MIGRATIONS');
      const file = await stack.waitFor(
        `the report of ${pair.v2.clientId}`,
        () => stack.slack.files('C_MIGRATIONS', thread.threadTs)[0],
        150_000,
      );
      expect(parseCsv(file.text).rows).toHaveLength(ACCOUNTS);
      const replies = stack.slack.thread('C_MIGRATIONS', thread.threadTs).map((m) => m.text);
      expect(replies.some((text) => text.startsWith('Migration finished'))).toBe(true);
    }
    expect(ids.size).toBe(5);
    // The limits were really in play: more than 50 messages in the one channel, most of a minute of
    // posts at 1 a second.
    const calls = stack.slack.calls();
    const posts = calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200);
    expect(posts.length).toBeGreaterThan(50);
    // Admin checks never waited behind a limit, and edits stayed inside Tier 3's 50 a minute.
    expect(calls.filter((c) => c.method === 'users.info' && c.status === 429)).toEqual([]);
    const edits = calls.filter((c) => c.method === 'chat.update' && c.status === 200).map((c) => c.at);
    expect(maxInSlidingWindow(edits, 60_000)).toBeLessThan(50);
    expect(calls.filter((c) => c.method === 'chat.update' && c.status === 429)).toEqual([]);
    expect(stack.nylas.counters().duplicateGrants).toBe(0);
    // Each admin was told where the run is, through the command's response_url.
    expect(
      stack.responsesTo('U_ADMIN').filter((r) => String(r.body.text).startsWith('Migration started')),
    ).toHaveLength(5);
  }, 200_000);
});
