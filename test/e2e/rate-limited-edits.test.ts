import { afterEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('429s on progress edits', () => {
  it('do not hold up admin checks: an admin typing /migrate meanwhile gets the form', async () => {
    stack = await startStack({ accounts: 400, ratePerSecond: 40 });
    const s = stack;
    // Slack refuses the next edits with Retry-After 3 s: a client that waits them out pauses its
    // queue for that long, and a users.info behind it misses the admin check's 2 s.
    s.slack.failNext({ method: 'chat.update', times: 3, kind: 'ratelimited', retryAfterSeconds: 3 });
    await s.startMigration('U_ADMIN');
    await s.waitFor('a rate-limited progress edit', () =>
      s.slack.calls().some((c) => c.method === 'chat.update' && c.status === 429),
    );

    // Another admin (not in the admin check's cache) types /migrate right then.
    const opensBefore = s.opensSoFar();
    const answer = await s.command('U_OWNER');
    expect((answer.json as { text?: string } | undefined)?.text ?? '').toBe('');
    const form = await s.openedView(opensBefore);
    expect(form.view.type).toBe('modal');
    expect(s.responsesTo('U_OWNER')).toEqual([]);

    // The run is unaffected and its parent message ends in its final state.
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    const parent = s.slack.messages('C_GENERAL').find((m) => m.ts === record.request.slack?.threadTs);
    // The final edit shows the counts, not a progress figure ("n/400 accounts") or "queued".
    expect(parent?.text).toMatch(/\): \d+ migrated/);
    // Each 429 is logged with its method and Retry-After.
    expect(s.logLines).toContainEqual(
      expect.objectContaining({
        message: 'Slack rate limited a call',
        method: 'chat.update',
        retryAfterSeconds: 3,
      }),
    );
  }, 60_000);
});
