import { z } from 'zod';
import type { SimSlackUser } from '../types.js';
import { fail, type MethodSpec, ok, parseArgs } from './method.js';

/** A user in the shape `users.info` answers with. */
export function renderUser(user: SimSlackUser, defaultTeamId: string): Record<string, unknown> {
  const name = user.name ?? user.id.toLowerCase();
  const realName = user.realName ?? name;
  return {
    id: user.id,
    team_id: user.teamId ?? defaultTeamId,
    name,
    real_name: realName,
    deleted: Boolean(user.deleted),
    is_admin: Boolean(user.isAdmin),
    is_owner: Boolean(user.isOwner),
    is_primary_owner: Boolean(user.isPrimaryOwner),
    is_restricted: Boolean(user.isRestricted),
    is_ultra_restricted: Boolean(user.isUltraRestricted),
    is_bot: Boolean(user.isBot),
    ...(user.isStranger ? { is_stranger: true } : {}),
    is_app_user: false,
    tz: 'Europe/Berlin',
    updated: 1_700_000_000,
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: name,
      display_name_normalized: name,
      ...(user.email === undefined ? {} : { email: user.email }),
      team: user.teamId ?? defaultTeamId,
    },
    ...(user.enterpriseUser === undefined
      ? {}
      : {
          enterprise_user: {
            id: user.id,
            enterprise_id: user.enterpriseUser.enterpriseId,
            is_admin: Boolean(user.enterpriseUser.isAdmin),
            is_owner: Boolean(user.enterpriseUser.isOwner),
            teams: [user.teamId ?? defaultTeamId],
          },
        }),
  };
}

const UsersInfoArgs = z.object({ user: z.string().min(1) });

export const usersInfo: MethodSpec = {
  scope: 'users:read',
  handle(rawArgs, { state }) {
    const parsed = parseArgs(UsersInfoArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const user = state.directory.user(parsed.data.user);
    if (user === undefined) return fail('user_not_found');
    return ok({ user: renderUser(user, state.config.teamId) });
  },
};

const UsergroupUsersArgs = z.object({ usergroup: z.string().min(1) });

export const usergroupsUsersList: MethodSpec = {
  scope: 'usergroups:read',
  handle(rawArgs, { state }) {
    const parsed = parseArgs(UsergroupUsersArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    // User groups are a paid feature: a free workspace gets this for every call.
    if (state.config.freePlan) return fail('plan_upgrade_required');
    const members = state.directory.usergroup(parsed.data.usergroup);
    if (members === undefined) return fail('no_such_subteam');
    return ok({ users: [...members] });
  },
};
