import { ReportUndeliverable } from '../migration/notifier.js';

/**
 * Slack's answers to an upload that no retry can change, in words for the thread. Anything else — a
 * 500, a rate limit, a timeout, a dropped connection — is transient and worth another attempt.
 */
const PERMANENT: Record<string, string> = {
  file_uploads_disabled: 'file uploads are disabled in this workspace',
  file_uploads_except_images_disabled: 'this workspace only allows image uploads',
  file_upload_size_restricted: 'the file is larger than this workspace allows',
  not_in_channel: 'the bot is no longer a member of the channel',
  is_archived: 'the channel has been archived',
  channel_not_found: 'the channel no longer exists or the bot cannot see it',
  missing_scope: 'the bot lacks the files:write permission (reinstall the app)',
  not_allowed_token_type: 'the bot token cannot upload files',
  restricted_action: 'a workspace setting forbids the bot to post there',
  account_inactive: 'the bot was deactivated',
  invalid_auth: 'the bot token is not valid any more',
  token_revoked: 'the bot token was revoked',
  user_not_found: 'the requester is not in the workspace any more',
  user_disabled: 'the requester was deactivated',
};

/** Slack errors that are worth retrying even though they come as an API error. */
const TRANSIENT = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** The Slack error code a WebClient error carries (`data.error` on platform errors), if any. */
export function slackErrorCode(error: unknown): string | undefined {
  const code = (error as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What an upload error means for delivery: a {@link ReportUndeliverable} for one that retrying cannot
 * fix, or the error itself (to be retried). An API error we do not know is permanent too: Slack answered
 * and said no, and the same request gets the same answer.
 */
export function classifyUploadError(error: unknown): Error {
  const code = slackErrorCode(error);
  if (code === undefined || TRANSIENT.has(code))
    return error instanceof Error ? error : new Error(String(error));
  return new ReportUndeliverable(PERMANENT[code] ?? `Slack refused the upload (${code})`, code);
}
