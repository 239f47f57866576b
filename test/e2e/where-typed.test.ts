import { afterEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V3_APP } from '../helpers/worker-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The one notice the admin saw through the command's response_url. */
async function noticeTo(s: Stack, userId: string) {
  const response = await s.waitFor('a notice through the response_url', () => s.responsesTo(userId).at(0));
  return { ...response, text: String(response.body.text) };
}

describe('where /migrate was typed', () => {
  it.each([
    [
      'a DM between two people',
      'D_ADA_MAX',
      /direct message between people, a group DM, or a private channel/,
    ],
    ['a group DM', 'G_GROUP_DM', /direct message between people, a group DM, or a private channel/],
    ['a private channel without the bot', 'G_SECRET', /private channel I'm not in/],
    [
      'a public channel without the bot',
      'C_NO_BOT',
      /I'm not a member of this channel.*\/invite @migrate-bot/,
    ],
  ])(
    'in %s: told at once where to go, before any form, and nothing changes',
    async (_label, channel, advice) => {
      stack = await startStack();
      const answer = await stack.command('U_ADMIN', '', channel);
      expect(answer.status).toBe(200);
      expect(answer.json).toBeUndefined(); // a plain ack; the notice follows through the response_url
      const notice = await noticeTo(stack, 'U_ADMIN');
      expect(notice).toMatchObject({ channel, outcome: 'ephemeral' });
      expect(notice.text).toMatch(advice);
      expect(notice.text).toContain('MIGRATE_CHANNEL');
      expect(notice.text).toContain('Nothing was opened or started.');
      expect(stack.opensSoFar()).toBe(0);
      expect(await stack.records.recent(10)).toEqual([]);
      // Nothing was tried where Slack would refuse the bot.
      expect(stack.slack.calls('chat.postEphemeral')).toEqual([]);
      expect(stack.slack.calls('chat.postMessage')).toEqual([]);
    },
  );

  it('in a private channel the bot was invited to: the form opens and the thread goes there', async () => {
    stack = await startStack({ accounts: 20 });
    await stack.startMigration('U_ADMIN', {}, 'G_PRIVATE_BOT');
    const record = await stack.waitForRecord();
    expect(record.status).toBe('completed');
    expect(record.request.slack?.channel).toBe('G_PRIVATE_BOT');
    expect(stack.responsesTo('U_ADMIN')).toEqual([]);
  });

  it('with MIGRATE_CHANNEL the bot is not in: refused at the command, naming MIGRATE_CHANNEL', async () => {
    stack = await startStack({ env: { MIGRATE_CHANNEL: 'C_NO_BOT' } });
    await stack.command('U_ADMIN', '', 'C_GENERAL');
    const notice = await noticeTo(stack, 'U_ADMIN');
    expect(notice.channel).toBe('C_GENERAL');
    expect(notice.text).toMatch(
      /Migration threads go to <#C_NO_BOT> \(MIGRATE_CHANNEL\), which does not have me/,
    );
    expect(notice.text).toContain('/invite @migrate-bot');
    expect(stack.opensSoFar()).toBe(0);
  });

  it('with MIGRATE_CHANNEL, typed in a DM between people: the run goes ahead and the link lands in that DM', async () => {
    stack = await startStack({ accounts: 20, env: { MIGRATE_CHANNEL: 'C_MIGRATIONS' } });
    const s = stack;
    await s.startMigration('U_ADMIN', {}, 'D_ADA_MAX');
    const record = await s.waitForRecord();
    expect(record.request.slack?.channel).toBe('C_MIGRATIONS');
    const notice = await noticeTo(s, 'U_ADMIN');
    expect(notice).toMatchObject({ channel: 'D_ADA_MAX', outcome: 'ephemeral' });
    expect(notice.text).toMatch(/^Migration started: follow it in the <[^|]+\|thread> in <#C_MIGRATIONS>\.$/);
    // The link is Slack's own permalink of the parent message.
    const permalink = s.slack.calls('chat.getPermalink').find((c) => c.ok);
    expect(permalink?.args).toMatchObject({
      channel: 'C_MIGRATIONS',
      message_ts: record.request.slack?.threadTs,
    });
    expect(notice.text).toContain(`${s.slack.url}/archives/C_MIGRATIONS/p`);
    expect(s.slack.calls('chat.postEphemeral')).toEqual([]);
  });

  it('the bot removed between the form and the confirmation: told where /migrate was typed, nothing starts', async () => {
    stack = await startStack();
    const s = stack;
    const before = s.opensSoFar();
    await s.command('U_ADMIN', '', 'C_GENERAL');
    const view = await s.openedView(before);
    s.slack.upsertChannel({ id: 'C_GENERAL', name: 'general', botIsMember: false });
    const form = await s.submitForm(
      'U_ADMIN',
      { v2AppId: V2_APP.clientId, v3AppId: V3_APP.applicationId, title: 'Acme on v3' },
      view,
    );
    const pushed = form.json as { view: Record<string, unknown> };
    const confirm = await s.submitView('U_ADMIN', pushed.view);
    expect(confirm.json).toEqual({ response_action: 'clear' });
    const notice = await noticeTo(s, 'U_ADMIN');
    expect(notice.channel).toBe('C_GENERAL');
    expect(notice.text).toMatch(/can't post in <#C_GENERAL> \(not_in_channel\)/);
    expect(notice.text).toContain('/invite');
    expect(await s.records.recent(10)).toEqual([]);
    expect(await s.records.active('v2', V2_APP.clientId)).toBeUndefined();
    expect(s.nylas.counters().requests).toEqual({});
  });
});
