import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../helpers/expected-rows.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('when Slack misbehaves', () => {
  it('429s and 500s during the run leave the migration unaffected, and the report is still delivered', async () => {
    stack = await startStack({ accounts: 200, nylas: { latencyMs: 20 }, ratePerSecond: 60 });
    const s = stack;
    await s.startMigration('U_ADMIN');
    await s.waitForRecord(['running']);
    // From here on Slack rate-limits edits, fails replies, and the first upload attempts.
    s.slack.failNext({ method: 'chat.update', times: 5, kind: 'ratelimited', retryAfterSeconds: 1 });
    s.slack.failNext({ method: 'chat.postMessage', times: 6, kind: 'http_500' });
    s.slack.failNext({ method: 'files.getUploadURLExternal', times: 6, kind: 'http_500' });
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    expect(record.summary?.total).toBe(200);
    const parent = s.slack.messages('C_GENERAL').find((m) => m.text.startsWith('Migration "'));
    // The WebClient gives up after its bounded retries; the reports queue delivers the owed report later.
    const file = await s.waitFor(
      'the report despite Slack errors',
      () => s.slack.files('C_GENERAL', parent?.ts)[0],
      30_000,
    );
    expect(parseCsv(file.text).rows).toHaveLength(200);
    expect(s.nylas.counters().duplicateGrants).toBe(0);
    expect(s.slack.calls().filter((c) => c.status === 500 || c.status === 429).length).toBeGreaterThan(0);
  });
});
