import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCOPES, type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';
import { simClient, slackError } from './slack-client.js';

let sim: SlackSim;

beforeAll(async () => {
  sim = await startSlackSim({ usergroups: { S_MIGRATORS: ['U_ADMIN', 'U_MEMBER'], S_EMPTY: [] } });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

async function userInfo(id: string) {
  const res = await simClient(sim).users.info({ user: id });
  return res.user as Record<string, unknown>;
}

const flags = (user: Record<string, unknown>) => ({
  team_id: user.team_id,
  deleted: user.deleted,
  is_admin: user.is_admin,
  is_owner: user.is_owner,
  is_primary_owner: user.is_primary_owner,
  is_restricted: user.is_restricted,
  is_ultra_restricted: user.is_ultra_restricted,
  is_bot: user.is_bot,
});

const base = {
  team_id: 'T_TEST',
  deleted: false,
  is_admin: false,
  is_owner: false,
  is_primary_owner: false,
  is_restricted: false,
  is_ultra_restricted: false,
  is_bot: false,
};

describe('users.info', () => {
  it.each([
    ['U_ADMIN', { is_admin: true }],
    ['U_OWNER', { is_admin: true, is_owner: true }],
    ['U_PRIMARY', { is_admin: true, is_owner: true, is_primary_owner: true }],
    ['U_MEMBER', {}],
    ['U_GUEST', { is_restricted: true }],
    ['U_SINGLE_GUEST', { is_restricted: true, is_ultra_restricted: true }],
    ['U_DELETED', { deleted: true, is_admin: true }],
    ['U_OTHER_TEAM', { team_id: 'T_OTHER', is_admin: true }],
    ['U_BOT', { is_bot: true }],
  ])('answers %s in Slack’s shape', async (id, expected) => {
    const user = await userInfo(id);
    expect(flags(user)).toEqual({ ...base, ...expected });
    expect(user).toMatchObject({ id, name: expect.any(String), real_name: expect.any(String) });
    expect(user.profile).toMatchObject({ real_name: user.real_name, display_name: expect.any(String) });
  });

  it('answers user_not_found for an unknown id', async () => {
    expect(await slackError(simClient(sim).users.info({ user: 'U_NOBODY' }))).toBe('user_not_found');
  });

  it('sees a change made between two calls (an admin demoted mid-flow)', async () => {
    sim.upsertUser({ id: 'U_ADMIN', name: 'ada.admin' });
    expect((await userInfo('U_ADMIN')).is_admin).toBe(false);
    sim.reset();
    expect((await userInfo('U_ADMIN')).is_admin).toBe(true);
  });

  it('answers missing_scope when the token lacks users:read', async () => {
    const narrow = await startSlackSim({ scopes: DEFAULT_SCOPES.filter((s) => s !== 'users:read') });
    try {
      await expect(simClient(narrow).users.info({ user: 'U_ADMIN' })).rejects.toMatchObject({
        data: { error: 'missing_scope', needed: 'users:read' },
      });
    } finally {
      await narrow.close();
    }
  });
});

describe('usergroups.users.list', () => {
  it('lists a group’s members, and follows changes', async () => {
    const client = simClient(sim);
    expect((await client.usergroups.users.list({ usergroup: 'S_MIGRATORS' })).users).toEqual([
      'U_ADMIN',
      'U_MEMBER',
    ]);
    expect((await client.usergroups.users.list({ usergroup: 'S_EMPTY' })).users).toEqual([]);
    sim.setUsergroup('S_EMPTY', ['U_OWNER']);
    expect((await client.usergroups.users.list({ usergroup: 'S_EMPTY' })).users).toEqual(['U_OWNER']);
  });

  it('answers no_such_subteam for an unknown group (the configured map replaces the default one)', async () => {
    const client = simClient(sim);
    expect(await slackError(client.usergroups.users.list({ usergroup: 'S_NOPE' }))).toBe('no_such_subteam');
    expect(await slackError(client.usergroups.users.list({ usergroup: 'S_ADMINS' }))).toBe('no_such_subteam');
  });
});

describe('conversations.info', () => {
  it('tells whether the bot is a member (with channels:read)', async () => {
    const wide = await startSlackSim({ scopes: [...DEFAULT_SCOPES, 'channels:read'] });
    try {
      const client = simClient(wide);
      const general = await client.conversations.info({ channel: 'C_GENERAL' });
      expect(general.channel).toMatchObject({
        id: 'C_GENERAL',
        name: 'general',
        is_member: true,
        is_channel: true,
      });
      const noBot = await client.conversations.info({ channel: 'C_NO_BOT' });
      expect(noBot.channel).toMatchObject({ id: 'C_NO_BOT', is_member: false });
      expect(await slackError(client.conversations.info({ channel: 'C_NOPE' }))).toBe('channel_not_found');
    } finally {
      await wide.close();
    }
  });

  it('answers missing_scope without channels:read', async () => {
    const narrow = await startSlackSim({ scopes: DEFAULT_SCOPES.filter((s) => s !== 'channels:read') });
    try {
      await expect(simClient(narrow).conversations.info({ channel: 'C_GENERAL' })).rejects.toMatchObject({
        data: { error: 'missing_scope', needed: 'channels:read' },
      });
    } finally {
      await narrow.close();
    }
  });

  it('hides private channels, DMs between people and group DMs from the bot (channel_not_found)', async () => {
    const client = simClient(sim);
    for (const channel of ['G_SECRET', 'D_ADA_MAX', 'G_GROUP_DM']) {
      expect(await slackError(client.conversations.info({ channel }))).toBe('channel_not_found');
      expect(await slackError(client.chat.postMessage({ channel, text: 'hi' }))).toBe('channel_not_found');
    }
    const invited = await client.conversations.info({ channel: 'G_PRIVATE_BOT' });
    expect(invited.channel).toMatchObject({ is_private: true, is_member: true });
  });
});
