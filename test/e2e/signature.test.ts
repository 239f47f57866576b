import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandBody, postToBot, sign } from '../../testkit/slack-sim/driver.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe('signed requests only', () => {
  const body = () => commandBody({ userId: 'U_ADMIN', triggerId: stack.slack.issueTriggerId() });

  it('accepts a correctly signed, fresh request', async () => {
    const answer = await postToBot(stack.botUrl, body());
    expect(answer.status).toBe(200);
    const { view } = await stack.openedView(0);
    expect(view.callback_id).toBe('migrate_form');
  });

  it('accepts a request dated up to five minutes ahead (Slack’s documented window)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const before = stack.opensSoFar();
    const ahead = await postToBot(stack.botUrl, body(), { timestamp: now + 4 * 60 + 50 });
    expect(ahead.status).toBe(200);
    const { view } = await stack.openedView(before);
    expect(view.callback_id).toBe('migrate_form');
  });

  it('rejects a bad signature, a stale timestamp and a future one, and does nothing', async () => {
    // An accepted request is audited before its ack; a refused one never reaches the listeners.
    const auditsBefore = stack.audits().length;
    const now = Math.floor(Date.now() / 1000);
    const bad = await postToBot(stack.botUrl, body(), { signature: 'v0=deadbeef' });
    const wrongSecret = await postToBot(stack.botUrl, body(), { secret: 'not-the-secret' });
    const stale = await postToBot(stack.botUrl, body(), { timestamp: now - 6 * 60 });
    const future = await postToBot(stack.botUrl, body(), { timestamp: now + 10 * 60 });
    const justPast = await postToBot(stack.botUrl, body(), { timestamp: now + 5 * 60 + 20 });
    for (const answer of [bad, wrongSecret, stale, future, justPast]) expect(answer.status).toBe(401);
    // A future timestamp is refused even when the signature over it is valid.
    const b = body();
    const signedFuture = await postToBot(stack.botUrl, b, {
      timestamp: now + 600,
      signature: sign(b, now + 600),
    });
    expect(signedFuture.status).toBe(401);
    expect(stack.audits()).toHaveLength(auditsBefore);
  });

  it('answers /healthz with Redis’s state', async () => {
    const response = await fetch(`${stack.botUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, redis: 'up' });
  });
});
