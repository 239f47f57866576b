import type { WebClient } from '@slack/web-api';
import { ConfigError } from '../config/config-error.js';

/** The workspace the bot token belongs to, as `auth.test` says at start. */
export interface Workspace {
  teamId: string;
  /** Set when the workspace is part of an Enterprise Grid organization. */
  enterpriseId: string | undefined;
}

/**
 * Learns the bot's own workspace, so payloads from any other team are refused even when
 * SLACK_TEAM_ID is unset. An org-wide (Enterprise Grid) install is refused at start: its payloads may
 * come from any workspace of the organization, and the admin checks here are per workspace.
 */
export async function learnWorkspace(
  client: Pick<WebClient, 'auth'>,
  configuredTeamId: string | undefined,
): Promise<Workspace> {
  let answer: Awaited<ReturnType<WebClient['auth']['test']>>;
  try {
    answer = await client.auth.test();
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    throw new Error(`Slack did not confirm SLACK_BOT_TOKEN (${code ?? (error as Error).message})`);
  }
  if (answer.is_enterprise_install) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN belongs to an org-wide (Enterprise Grid) install, which migrate-bot does not support: install the app to one workspace of the organization',
    );
  }
  const teamId = answer.team_id;
  if (!teamId) throw new Error('Slack did not say which workspace SLACK_BOT_TOKEN belongs to (auth.test)');
  if (configuredTeamId && configuredTeamId !== teamId) {
    throw new ConfigError(
      `SLACK_TEAM_ID ${configuredTeamId} is not the workspace SLACK_BOT_TOKEN belongs to (${teamId})`,
    );
  }
  return { teamId, enterpriseId: answer.enterprise_id || undefined };
}
