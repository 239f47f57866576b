import { afterEach, describe, expect, it } from 'vitest';
import { migrationKeys } from '../../src/store/keys.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V3_APP } from '../helpers/worker-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const ephemeralText = (json: unknown) =>
  (json as { text?: string; response_type?: string } | undefined)?.text ?? '';

describe('verified admins only', () => {
  it.each([
    ['U_MEMBER', /only workspace admins and owners/],
    ['U_GUEST', /guests cannot run migrations/],
    ['U_SINGLE_GUEST', /guests cannot run migrations/],
    ['U_DELETED', /deactivated/],
    ['U_OTHER_TEAM', /not in the workspace/],
  ])('refuses %s at the command, opens nothing, and audits it', async (userId, reason) => {
    stack = await startStack({ env: { SLACK_TEAM_ID: 'T_TEST' } });
    const answer = await stack.command(userId);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ response_type: 'ephemeral' });
    expect(ephemeralText(answer.json)).toMatch(reason);
    expect(stack.opensSoFar()).toBe(0);
    expect(stack.audits().at(-1)).toMatchObject({
      who: userId,
      what: 'command.open_form',
      outcome: 'refused',
    });
  });

  it('lets admins, owners and primary owners in, and audits that too', async () => {
    stack = await startStack();
    for (const [i, userId] of ['U_ADMIN', 'U_OWNER', 'U_PRIMARY'].entries()) {
      await stack.command(userId);
      await stack.openedView(i);
    }
    expect(stack.audits().map((a) => [a.who, a.outcome])).toEqual([
      ['U_ADMIN', 'allowed'],
      ['U_OWNER', 'allowed'],
      ['U_PRIMARY', 'allowed'],
    ]);
    const line = stack.audits()[0] ?? {};
    expect(Object.keys(line)).toEqual(expect.arrayContaining(['who', 'what', 'when', 'outcome']));
    expect(JSON.stringify(stack.logLines)).not.toMatch(/xoxb-|nyk_v0|secret/);
  });

  it('narrows admins to MIGRATE_ALLOWED_USERS and MIGRATE_ALLOWED_USERGROUP', async () => {
    stack = await startStack({ env: { MIGRATE_ALLOWED_USERS: 'U_OWNER' } });
    expect(ephemeralText((await stack.command('U_ADMIN')).json)).toMatch(/not on the list/);
    await stack.close();
    stack = await startStack({
      env: { MIGRATE_ALLOWED_USERGROUP: 'S_ADMINS' },
      slack: { usergroups: { S_ADMINS: ['U_OWNER'] } },
    });
    expect(ephemeralText((await stack.command('U_ADMIN')).json)).toMatch(/not in the user group/);
    expect((await stack.command('U_OWNER')).json).toBeUndefined(); // plain ack: the form opens
    await stack.openedView(0);
  });

  it('refuses a non-admin’s forged confirm submission: nothing is reserved, posted or queued', async () => {
    stack = await startStack();
    const { confirmView } = await stack.startMigration('U_ADMIN');
    const record = await stack.waitForRecord(['queued', 'running', 'completed']);
    const messagesBefore = stack.slack.messages('C_GENERAL').length;
    // The member replays the admin's confirmation view with their own user id.
    const forged = await stack.submitView('U_MEMBER', {
      ...confirmView,
      private_metadata: String(confirmView.private_metadata).replace(V3_APP.applicationId, 'v3-other'),
    });
    expect(forged.json).toMatchObject({
      response_action: 'update',
      view: { title: { text: 'Not allowed' } },
    });
    expect(stack.slack.messages('C_GENERAL')).toHaveLength(messagesBefore);
    expect((await stack.records.recent(10)).map((r) => r.request.migrationId)).toEqual([
      record.request.migrationId,
    ]);
    expect(await stack.records.active('v3', 'v3-other')).toBeUndefined();
    // The member's line, not the last one: the worker's own check of the admin's run may land after it.
    expect(stack.audits().filter((line) => line.who === 'U_MEMBER')).toHaveLength(1);
    expect(stack.audits().filter((line) => line.who === 'U_MEMBER')[0]).toMatchObject({
      who: 'U_MEMBER',
      what: 'confirm.submit',
      outcome: 'refused',
    });
  });

  it('refuses a non-admin’s Cancel click: the run goes on', async () => {
    stack = await startStack({ accounts: 300, nylas: { latencyMs: 30 }, ratePerSecond: 40 });
    await stack.startMigration('U_ADMIN');
    const running = await stack.waitForRecord(['running']);
    const parent = running.request.slack;
    if (!parent?.threadTs) throw new Error('no thread');
    const click = await stack.click('U_MEMBER', {
      channelId: parent.channel,
      messageTs: parent.threadTs,
      actionId: 'migrate_cancel',
      value: running.request.migrationId,
    });
    expect(click.status).toBe(200);
    const warned = await stack.waitFor('a refusal through the response_url', () =>
      stack?.responsesTo('U_MEMBER').at(0),
    );
    expect(warned).toMatchObject({ outcome: 'ephemeral', channel: parent.channel });
    expect(String(warned.body.text)).toMatch(/Only verified admins can cancel/);
    expect(await stack.redis.exists(migrationKeys(stack.prefix).cancel(running.request.migrationId))).toBe(0);
    const done = await stack.waitForRecord(['completed', 'cancelled', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.request.v2AppId).toBe(V2_APP.clientId);
  });
});
