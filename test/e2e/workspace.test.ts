import { afterEach, describe, expect, it } from 'vitest';
import { postToBot, viewSubmission } from '../../testkit/slack-sim/driver.js';
import { defaultSimUsers } from '../../testkit/slack-sim/index.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const ephemeralText = (json: unknown) => (json as { text?: string } | undefined)?.text ?? '';

describe('the bot’s own workspace, learnt from auth.test', () => {
  it('refuses another team’s command and forged submission even without SLACK_TEAM_ID', async () => {
    stack = await startStack();
    const command = await stack.command('U_ADMIN', '', 'C_GENERAL', { teamId: 'T_OTHER' });
    expect(ephemeralText(command.json)).toBe(
      "Sorry, you can't use /migrate: this workspace is not the one the bot serves.",
    );
    // A user whose home is another team, typing in ours, is refused too.
    expect(ephemeralText((await stack.command('U_OTHER_TEAM')).json)).toMatch(/not in the workspace/);
    const forged = await postToBot(
      stack.botUrl,
      viewSubmission({
        userId: 'U_ADMIN',
        teamId: 'T_OTHER',
        view: { callback_id: 'migrate_form', private_metadata: JSON.stringify({ channel: 'C_GENERAL' }) },
        values: {},
      }),
    );
    expect(forged.json).toEqual({
      response_action: 'errors',
      errors: { v2_app: 'Not allowed: this workspace is not the one the bot serves' },
    });
    expect(stack.opensSoFar()).toBe(0);
    expect(stack.audits()).toMatchObject([
      { who: 'U_ADMIN', team: 'T_OTHER', outcome: 'refused', reason: 'wrong_workspace' },
      { who: 'U_OTHER_TEAM', outcome: 'refused', reason: 'wrong_workspace' },
      { who: 'U_ADMIN', team: 'T_OTHER', what: 'form.submit', outcome: 'refused', reason: 'wrong_workspace' },
    ]);
  });

  it('never takes a Slack Connect stranger for an admin, whatever their flags', async () => {
    stack = await startStack({
      slack: {
        users: [
          ...defaultSimUsers,
          { id: 'U_STRANGER', name: 'sam.stranger', isAdmin: true, isOwner: true, isStranger: true },
        ],
      },
    });
    const answer = await stack.command('U_STRANGER');
    expect(ephemeralText(answer.json)).toBe(
      "Sorry, you can't use /migrate: people from other organizations (Slack Connect) cannot run migrations here.",
    );
    expect(stack.opensSoFar()).toBe(0);
  });

  it('stops at start when SLACK_TEAM_ID is not the token’s workspace', async () => {
    await expect(startStack({ env: { SLACK_TEAM_ID: 'T_ELSEWHERE' } })).rejects.toThrow(
      'SLACK_TEAM_ID T_ELSEWHERE is not the workspace SLACK_BOT_TOKEN belongs to (T_TEST)',
    );
  });
});

describe('Enterprise Grid', () => {
  it('serves its own workspace of the organization; another organization and org-wide payloads are refused', async () => {
    stack = await startStack({ slack: { enterprise: { id: 'E_GRID' } } });
    expect(
      (await stack.command('U_ADMIN', '', 'C_GENERAL', { enterpriseId: 'E_GRID' })).json,
    ).toBeUndefined();
    await stack.openedView(0);
    const other = await stack.command('U_ADMIN', '', 'C_GENERAL', { enterpriseId: 'E_OTHER' });
    expect(ephemeralText(other.json)).toMatch(
      /this Enterprise Grid organization is not the one the bot serves/,
    );
    const orgWide = await stack.command('U_ADMIN', '', 'C_GENERAL', {
      enterpriseId: 'E_GRID',
      isEnterpriseInstall: true,
    });
    expect(ephemeralText(orgWide.json)).toMatch(
      /org-wide \(Enterprise Grid\) install are not accepted; use \/migrate in the workspace the bot is installed in/,
    );
    expect(stack.opensSoFar()).toBe(1);
  });

  it('refuses to start on an org-wide install', async () => {
    await expect(
      startStack({ slack: { enterprise: { id: 'E_GRID', orgWideInstall: true } } }),
    ).rejects.toThrow(/org-wide \(Enterprise Grid\) install, which migrate-bot does not support/);
  });
});

describe('user-group errors that never clear', () => {
  it.each([
    [
      'a free plan',
      { freePlan: true },
      'S_ADMINS',
      'plan_upgrade_required: user groups need a paid Slack plan',
    ],
    ['an unknown group', {}, 'S_NOPE', 'no_such_subteam: no user group has this id'],
    [
      'a token without usergroups:read',
      { scopes: ['commands', 'chat:write', 'files:write', 'users:read', 'channels:read', 'groups:read'] },
      'S_ADMINS',
      'missing_scope: the bot token lacks the usergroups:read scope',
    ],
  ])('%s: a configuration error at start', async (_label, slack, group, reason) => {
    await expect(startStack({ slack, env: { MIGRATE_ALLOWED_USERGROUP: group } })).rejects.toThrow(
      `MIGRATE_ALLOWED_USERGROUP ${group} cannot be read (${reason}`,
    );
  });

  it('a group deleted while the bot runs: the refusal says it is the configuration, not "try again"', async () => {
    stack = await startStack({ env: { MIGRATE_ALLOWED_USERGROUP: 'S_ADMINS' } });
    stack.slack.removeUsergroup('S_ADMINS');
    const text = ephemeralText((await stack.command('U_ADMIN')).json);
    expect(text).toBe(
      "Sorry, you can't use /migrate: the bot is misconfigured: MIGRATE_ALLOWED_USERGROUP S_ADMINS cannot be read (no_such_subteam: no user group has this id). Trying again will not help; ask whoever runs the bot to fix MIGRATE_ALLOWED_USERGROUP.",
    );
    expect(text).not.toMatch(/try again in a moment/);
    expect(stack.opensSoFar()).toBe(0);
    expect(stack.audits().at(-1)).toMatchObject({ outcome: 'refused', reason: 'misconfigured' });
  });
});
