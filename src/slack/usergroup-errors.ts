import type { WebClient } from '@slack/web-api';
import { ConfigError } from '../config/config-error.js';

/**
 * Slack's answers to `usergroups.users.list` that no retry will change: the configuration (the group
 * id, the token's scopes, the workspace's plan) has to. Anything else (timeouts, 5xx, rate limits)
 * may pass.
 */
const PERMANENT: Record<string, string> = {
  plan_upgrade_required: 'user groups need a paid Slack plan',
  no_such_subteam: 'no user group has this id',
  subteam_not_found: 'no user group has this id',
  missing_scope: 'the bot token lacks the usergroups:read scope (reinstall the app from manifest.yml)',
  not_allowed_token_type: 'SLACK_BOT_TOKEN is not a bot token',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid',
  token_revoked: 'SLACK_BOT_TOKEN was revoked',
  account_inactive: 'SLACK_BOT_TOKEN was revoked',
};

export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** The configuration problem behind a user-group error, or undefined when it may be transient. */
export function usergroupMisconfiguration(groupId: string, error: unknown): string | undefined {
  const code = slackErrorCode(error);
  const why = code === undefined ? undefined : PERMANENT[code];
  return why === undefined
    ? undefined
    : `MIGRATE_ALLOWED_USERGROUP ${groupId} cannot be read (${code}: ${why})`;
}

/**
 * Reads the allowed user group once at start: a permanent error stops start-up with the reason
 * (exit code 2); a transient one lets the bot start (each check asks again).
 */
export async function checkUsergroupAtStart(
  client: Pick<WebClient, 'usergroups'>,
  groupId: string | undefined,
): Promise<string | undefined> {
  if (!groupId) return undefined;
  try {
    await client.usergroups.users.list({ usergroup: groupId });
    return undefined;
  } catch (error) {
    const problem = usergroupMisconfiguration(groupId, error);
    if (problem) throw new ConfigError(problem);
    return `MIGRATE_ALLOWED_USERGROUP ${groupId} could not be checked at start (${slackErrorCode(error) ?? (error as Error).message})`;
  }
}
