import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/shared/logger.js';
import { createAdminVerifier } from '../../src/slack/admin-verifier.js';

describe('admin verifier, when Slack cannot answer', () => {
  it('refuses as lookup_failed and logs Slack’s reason, which the audit line does not carry', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const slackError = Object.assign(new Error('An API error occurred: missing_scope'), {
      code: 'slack_webapi_platform_error',
    });
    const client = {
      users: { info: () => Promise.reject(slackError) },
    } as unknown as Pick<WebClient, 'users' | 'usergroups'>;
    const verifier = createAdminVerifier({
      client,
      policy: {},
      logger: createJsonLogger({}, (line) => lines.push(JSON.parse(line))),
    });
    expect(await verifier.verify('U_ADMIN')).toMatchObject({ ok: false, code: 'lookup_failed' });
    expect(lines).toMatchObject([
      {
        level: 'warn',
        userId: 'U_ADMIN',
        error: { message: 'An API error occurred: missing_scope', code: 'slack_webapi_platform_error' },
      },
    ]);
  });
});
