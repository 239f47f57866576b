import { describe, expect, it } from 'vitest';
import { ReportUndeliverable } from '../../src/migration/notifier.js';
import { classifyUploadError } from '../../src/slack/upload-errors.js';

/** An error shaped as the WebClient throws a Slack API error. */
const platformError = (code: string) =>
  Object.assign(new Error(`An API error occurred: ${code}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error: code },
  });

describe('upload errors', () => {
  it.each([
    ['file_uploads_disabled', /uploads are disabled/],
    ['file_upload_size_restricted', /larger than this workspace allows/],
    ['not_in_channel', /no longer a member/],
    ['is_archived', /archived/],
    ['channel_not_found', /no longer exists/],
    ['missing_scope', /files:write/],
  ])('%s is permanent and says why in plain words', (code, why) => {
    const classified = classifyUploadError(platformError(code));
    expect(classified).toBeInstanceOf(ReportUndeliverable);
    expect((classified as ReportUndeliverable).why).toMatch(why);
  });

  it('an unknown refusal is permanent too, naming the code', () => {
    const classified = classifyUploadError(platformError('something_new'));
    expect((classified as ReportUndeliverable).why).toContain('something_new');
  });

  it('rate limits, server errors and network errors are transient (the error itself, retried)', () => {
    const http500 = Object.assign(new Error('HTTP 500'), {
      code: 'slack_webapi_http_error',
      statusCode: 500,
    });
    const network = Object.assign(new Error('socket hang up'), { code: 'slack_webapi_request_error' });
    for (const error of [platformError('ratelimited'), platformError('internal_error'), http500, network])
      expect(classifyUploadError(error)).toBe(error);
  });
});
