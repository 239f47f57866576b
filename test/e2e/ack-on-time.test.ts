import { afterEach, describe, expect, it } from 'vitest';
import { type StallProxy, startStallProxy } from '../../testkit/stall-proxy.js';
import { REDIS_URL } from '../helpers/redis.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V3_APP } from '../helpers/worker-harness.js';

// Every interaction below goes through the stack's helpers, which fail the test when the bot answers
// after Slack's 3 s (the driver measures it). What each step then asserts is what the user sees.

let stack: Stack | undefined;
let proxy: StallProxy | undefined;
afterEach(async () => {
  proxy?.release();
  await stack?.close();
  await proxy?.close();
  stack = undefined;
  proxy = undefined;
});

/** A stack whose services reach Redis through a proxy that can stall them (the test's own handle does not). */
async function stallableStack(): Promise<{ s: Stack; redis: StallProxy }> {
  const target = new URL(REDIS_URL);
  proxy = await startStallProxy({ host: target.hostname, port: Number(target.port || 6379) });
  stack = await startStack({ accounts: 5, env: { REDIS_URL: proxy.url } });
  return { s: stack, redis: proxy };
}

const FORM = { v2AppId: V2_APP.clientId, v3AppId: V3_APP.applicationId, title: 'Acme on v3' };

/** Viewed through the bot's own connection: answered only after every command it sent before. */
async function botRedisCaughtUp(s: Stack): Promise<void> {
  const health = await fetch(`${s.botUrl}/healthz`);
  expect(health.status).toBe(200);
}

/**
 * A notice shown through a response_url issued to `userId`. A confirmation's notices use the URL of
 * the /migrate that opened the form (it rides in the view), so they count as that user's: here another
 * admin confirms, only so that the admin cache is cold at that step.
 */
function shown(s: Stack, userId: string, fragment: string): string | undefined {
  return s
    .responsesTo(userId)
    .filter((r) => r.outcome === 'ephemeral')
    .map((r) => String(r.body.text))
    .find((text) => text.includes(fragment));
}

describe('acks within 3 s whatever users.info or Redis do', () => {
  it('with users.info at 2.5 s and cold caches, /migrate, the form and the confirmation answer in time and the migration starts', async () => {
    const { s } = await stallableStack();
    s.slack.setLatency('users.info', 2_500);

    const opensBefore = s.opensSoFar();
    const command = await s.command('U_ADMIN');
    const form = await s.openedView(opensBefore);

    // Another admin submits (a cold cache again): the form cannot know in time and asks again.
    const first = await s.submitForm('U_OWNER', FORM, form);
    expect(first.json).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(first.json)).toContain('submit again');
    const second = await s.submitForm('U_OWNER', FORM, form);
    const push = second.json as { response_action: string; view: Record<string, unknown> };
    expect(push.response_action).toBe('push');

    // A third admin confirms, cold too: "working on it" in the modal, then the outcome by response_url.
    const confirm = await s.submitView('U_PRIMARY', push.view);
    expect(JSON.stringify(confirm.json)).toContain('Working on it');
    const told = await s.waitFor('the start told where /migrate was typed', () =>
      shown(s, 'U_ADMIN', 'Migration started'),
    );
    expect(told).toContain('thread');
    const record = await s.waitForRecord(['queued', 'running', 'completed']);
    expect(record.request.slack?.threadTs).toBeDefined();
    console.info('ack ms (users.info 2.5 s):', {
      command: Math.round(command.ms),
      formCold: Math.round(first.ms),
      formAgain: Math.round(second.ms),
      confirmCold: Math.round(confirm.ms),
    });
  });

  it("with the bot's Redis stalled, the confirmation says nothing started and leaves nothing reserved once Redis runs the held commands", async () => {
    const { s, redis } = await stallableStack();
    const opensBefore = s.opensSoFar();
    await s.command('U_ADMIN');
    const form = await s.submitForm('U_ADMIN', FORM, await s.openedView(opensBefore));
    const push = form.json as { view: Record<string, unknown> };

    redis.stall();
    const confirm = await s.submitView('U_ADMIN', push.view);
    expect(confirm.json).toMatchObject({ view: { title: { text: 'Not started' } } });
    // The reserve the bot gave up on runs now, late — and so does whatever the bot sent after it.
    redis.release();
    await botRedisCaughtUp(s);
    expect(await s.records.active('v2', V2_APP.clientId)).toBeUndefined();
    expect(await s.records.active('v3', V3_APP.applicationId)).toBeUndefined();
    expect((await s.records.recent(10)).map((r) => r.status)).not.toContain('reserved');

    // What the admin does next works: the apps are free.
    const again = await s.startMigration('U_ADMIN', FORM);
    expect(again.confirm.json).toMatchObject({ response_action: 'clear' });
    console.info('ack ms (stalled Redis): confirm', Math.round(confirm.ms));
  });

  it('with users.info at 2.5 s and Redis stalled, /migrate status, the confirmation and Cancel answer in time and then say what happened', async () => {
    const { s, redis } = await stallableStack();
    // A running migration to cancel, and a confirmation view to submit, made while all is well.
    await s.startMigration('U_ADMIN', FORM);
    const running = await s.waitForRecord(['queued', 'running']);
    const thread = running.request.slack;
    if (!thread?.threadTs) throw new Error('no thread');
    const opensBefore = s.opensSoFar();
    await s.command('U_ADMIN');
    const otherForm = await s.submitForm(
      'U_ADMIN',
      { ...FORM, v2AppId: 'v2-other', v3AppId: 'v3-other' },
      await s.openedView(opensBefore),
    );
    const confirmView = (otherForm.json as { view: Record<string, unknown> }).view;

    s.slack.setLatency('users.info', 2_500);
    redis.stall();
    const status = await s.command('U_OWNER', 'status');
    const confirm = await s.submitView('U_PRIMARY', confirmView);
    s.slack.upsertUser({ id: 'U_ADMIN2', name: 'ann.admin', realName: 'Ann Admin', isAdmin: true });
    const click = await s.click('U_ADMIN2', {
      channelId: thread.channel,
      messageTs: thread.threadTs,
      actionId: 'migrate_cancel',
      value: running.request.migrationId,
    });

    await s.waitFor('the status answer', () => shown(s, 'U_OWNER', 'Migration records are unavailable'));
    expect(JSON.stringify(confirm.json)).toContain('Working on it');
    await s.waitFor('the confirmation outcome', () => shown(s, 'U_ADMIN', 'Nothing was started'));
    await s.waitFor('the cancel outcome', () => shown(s, 'U_ADMIN2', 'try Cancel again'));

    redis.release();
    await botRedisCaughtUp(s);
    expect(await s.records.active('v2', 'v2-other')).toBeUndefined();
    expect(await s.records.active('v3', 'v3-other')).toBeUndefined();
    console.info('ack ms (users.info 2.5 s + stalled Redis):', {
      status: Math.round(status.ms),
      confirm: Math.round(confirm.ms),
      cancel: Math.round(click.ms),
    });
  });
});
