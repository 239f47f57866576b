import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../shared/logger.js';
import { usergroupMisconfiguration } from './usergroup-errors.js';

export type AdminRefusal =
  | 'wrong_workspace'
  | 'deleted'
  | 'guest'
  | 'not_admin'
  | 'not_allowed'
  | 'stranger'
  | 'enterprise_install'
  | 'misconfigured'
  | 'lookup_failed';

export type AdminVerdict =
  | { ok: true; userId: string }
  | { ok: false; userId: string; code: AdminRefusal; reason: string };

const userSchema = z.object({
  id: z.string(),
  team_id: z.string().optional(),
  deleted: z.boolean().optional(),
  is_admin: z.boolean().optional(),
  is_owner: z.boolean().optional(),
  is_primary_owner: z.boolean().optional(),
  is_restricted: z.boolean().optional(),
  is_ultra_restricted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  is_stranger: z.boolean().optional(),
  enterprise_user: z.object({ teams: z.array(z.string()).optional() }).nullish(),
});
type SlackUser = z.infer<typeof userSchema>;

export interface AdminPolicy {
  /** The only workspace accepted: the bot's own (auth.test at start; SLACK_TEAM_ID must agree). */
  teamId?: string | undefined;
  /** The bot's Enterprise Grid organization, if any: payloads naming another one are refused. */
  enterpriseId?: string | undefined;
  /** MIGRATE_ALLOWED_USERS: narrows the admins to these ids. */
  allowedUsers?: readonly string[] | undefined;
  /** MIGRATE_ALLOWED_USERGROUP: narrows the admins to this group's members. */
  allowedUsergroup?: string | undefined;
}

/** Where a payload says it came from (team, Grid organization, org-wide install). */
export interface RequestOrigin {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  enterpriseInstall?: boolean | undefined;
}

/**
 * Decides who is a verified admin (design.md): a user of the bot's workspace (never a Slack Connect
 * stranger), not deleted, not a guest, who is an admin, owner or primary owner — and, when an
 * allow-list or user group is set, is in it. `users.info` and the group's members are cached briefly, so checks on every command, submission
 * and button stay far inside Slack's 3 seconds.
 */
export function createAdminVerifier(deps: {
  client: Pick<WebClient, 'users' | 'usergroups'>;
  policy: AdminPolicy;
  cacheTtlMs?: number;
  now?: () => number;
  /** Where Slack's reason for a failed lookup goes (the audit line says only `lookup_failed`). */
  logger?: Logger;
}) {
  const ttl = deps.cacheTtlMs ?? 60_000;
  const now = deps.now ?? Date.now;
  const users = new Map<string, { at: number; user: Promise<SlackUser> }>();
  let group: { at: number; members: Promise<Set<string>> } | undefined;

  const fetchUser = (userId: string): Promise<SlackUser> => {
    const cached = users.get(userId);
    if (cached && now() - cached.at < ttl) return cached.user;
    const user = deps.client.users.info({ user: userId }).then((answer) => userSchema.parse(answer.user));
    users.set(userId, { at: now(), user });
    // Failures are not cached. Not a drop: the caller awaits the same promise and handles the error.
    user.catch(() => users.delete(userId));
    return user;
  };

  const groupMembers = (groupId: string): Promise<Set<string>> => {
    if (group && now() - group.at < ttl) return group.members;
    const members = deps.client.usergroups.users
      .list({ usergroup: groupId })
      .then((answer) => new Set(answer.users ?? []));
    group = { at: now(), members };
    // As above: forget a failed lookup; the caller gets (and handles) its rejection.
    members.catch(() => {
      group = undefined;
    });
    return members;
  };

  return {
    async verify(userId: string, origin: RequestOrigin | string | undefined = {}): Promise<AdminVerdict> {
      const { policy } = deps;
      const { teamId, enterpriseId, enterpriseInstall } =
        typeof origin === 'string' ? { teamId: origin } : origin;
      const refuse = (code: AdminRefusal, reason: string): AdminVerdict => ({
        ok: false,
        userId,
        code,
        reason,
      });
      if (enterpriseInstall)
        return refuse(
          'enterprise_install',
          'requests for an org-wide (Enterprise Grid) install are not accepted; use /migrate in the workspace the bot is installed in',
        );
      if (policy.teamId && teamId && teamId !== policy.teamId)
        return refuse('wrong_workspace', 'this workspace is not the one the bot serves');
      if (enterpriseId && enterpriseId !== policy.enterpriseId)
        return refuse('wrong_workspace', 'this Enterprise Grid organization is not the one the bot serves');
      let user: SlackUser;
      try {
        user = await fetchUser(userId);
      } catch (error) {
        deps.logger?.warn('users.info failed; request refused as lookup_failed', { userId, error });
        return refuse('lookup_failed', 'Slack could not confirm who you are; try again in a moment');
      }
      // Slack Connect: people of another organization are never admins here, whatever their flags say.
      if (user.is_stranger)
        return refuse(
          'stranger',
          'people from other organizations (Slack Connect) cannot run migrations here',
        );
      const teams = [user.team_id, ...(user.enterprise_user?.teams ?? [])].filter(Boolean);
      if (policy.teamId && !teams.includes(policy.teamId))
        return refuse('wrong_workspace', 'your account is not in the workspace the bot serves');
      if (user.deleted) return refuse('deleted', 'your account is deactivated');
      if (user.is_restricted || user.is_ultra_restricted)
        return refuse('guest', 'guests cannot run migrations');
      if (user.is_bot) return refuse('not_admin', 'bots cannot run migrations');
      if (!(user.is_admin || user.is_owner || user.is_primary_owner)) {
        return refuse('not_admin', 'only workspace admins and owners can run migrations');
      }
      if (policy.allowedUsers && !policy.allowedUsers.includes(userId)) {
        return refuse('not_allowed', 'you are not on the list of admins allowed to run migrations');
      }
      if (policy.allowedUsergroup) {
        try {
          if (!(await groupMembers(policy.allowedUsergroup)).has(userId)) {
            return refuse('not_allowed', 'you are not in the user group allowed to run migrations');
          }
        } catch (error) {
          deps.logger?.warn('usergroups.users.list failed; request refused as lookup_failed', {
            userId,
            error,
          });
          const problem = usergroupMisconfiguration(policy.allowedUsergroup, error);
          if (problem)
            return refuse(
              'misconfigured',
              `the bot is misconfigured: ${problem}. Trying again will not help; ask whoever runs the bot to fix MIGRATE_ALLOWED_USERGROUP`,
            );
          return refuse(
            'lookup_failed',
            'Slack could not confirm the allowed user group; try again in a moment',
          );
        }
      }
      return { ok: true, userId };
    },
  };
}

export type AdminVerifier = ReturnType<typeof createAdminVerifier>;
