import { afterEach, describe, expect, it } from 'vitest';
import { countOwedReports, createReportQueue } from '../../src/queue/report-queue.js';
import { parseCsv } from '../helpers/expected-rows.js';
import { waitForJobSettled } from '../helpers/job-settled.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The worker's reports queue, read-only: to wait until BullMQ is done with a report job. */
/** Reports the reports queue still has to deliver (what `migrate_reports_owed` shows). */
async function reportsOwed(s: Stack) {
  const queue = createReportQueue(s.redis, s.prefix);
  try {
    return await countOwedReports(queue);
  } finally {
    await queue.close();
  }
}

async function reportJobSettled(s: Stack, jobId: string) {
  const queue = createReportQueue(s.redis, s.prefix);
  try {
    await waitForJobSettled(queue, jobId, 30_000);
    return await queue.getJobState(jobId);
  } finally {
    await queue.close();
  }
}

describe('report delivery', () => {
  it('a thread that refuses the report for good (the bot removed from the channel): the requester gets the CSV by DM, told why and how to get it in the thread', async () => {
    stack = await startStack({ accounts: 150, nylas: { latencyMs: 20 }, ratePerSecond: 60 });
    const s = stack;
    await s.startMigration('U_ADMIN');
    const running = await s.waitForRecord(['running']);
    // Someone removes the bot from the channel mid-run: Slack answers not_in_channel from now on.
    s.slack.upsertChannel({ id: 'C_GENERAL', name: 'general', botIsMember: false });
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    const id = running.request.migrationId;
    expect(await reportJobSettled(s, id)).toBe('completed');

    const dm = s.slack.dmChannelFor('U_ADMIN');
    const files = s.slack.files(dm);
    expect(files).toHaveLength(1);
    expect(parseCsv(files[0]?.text ?? '').rows).toHaveLength(150);
    const said = s.slack.messages(dm).map((m) => m.text);
    expect(said.some((text) => text.includes('no longer a member of the channel'))).toBe(true);
    expect(said.some((text) => text.includes(`/migrate report ${id}`))).toBe(true);
    expect(s.slack.files('C_GENERAL')).toHaveLength(0);
    expect(await reportsOwed(s)).toBe(0);
  });

  it('uploads failing with 500s for a while: delivered by the job retries, exactly one file in the thread', async () => {
    stack = await startStack({ accounts: 60 });
    const s = stack;
    // More 500s than the WebClient's own retries absorb: the run's upload fails, the job retries it.
    // Only uploads call this method, so the faults hit the report and nothing else.
    s.slack.failNext({ method: 'files.getUploadURLExternal', times: 6, kind: 'http_500' });
    await s.startMigration('U_ADMIN');
    const running = await s.waitForRecord(['running', 'completed']);
    expect((await s.waitForRecord()).status).toBe('completed');
    const id = running.request.migrationId;
    expect(await reportJobSettled(s, id)).toBe('completed');
    const parent = s.slack.messages('C_GENERAL').find((m) => m.text.startsWith('Migration "'));
    const files = s.slack.files('C_GENERAL', parent?.ts);
    expect(files).toHaveLength(1);
    expect(parseCsv(files[0]?.text ?? '').rows).toHaveLength(60);
    expect(s.slack.calls('files.getUploadURLExternal').filter((c) => c.status === 500).length).toBe(6);
  });

  it('/migrate report <id> re-uploads the report into the thread for an admin, and refuses anyone else', async () => {
    stack = await startStack({ accounts: 30 });
    const s = stack;
    await s.startMigration('U_ADMIN');
    const record = await s.waitForRecord();
    const id = record.request.migrationId;
    const threadTs = record.request.slack?.threadTs;
    await s.waitFor('the report in the thread', () => s.slack.files('C_GENERAL', threadTs)[0]);

    const refused = await s.command('U_MEMBER', `report ${id}`);
    expect((refused.json as { text: string }).text).toMatch(/can't use \/migrate/);
    expect(s.audits().at(-1)).toMatchObject({ who: 'U_MEMBER', what: 'command.report', outcome: 'refused' });

    const accepted = await s.command('U_ADMIN', `report ${id}`);
    expect((accepted.json as { text: string }).text).toContain('will be uploaded into its thread');
    expect(s.audits().at(-1)).toMatchObject({ who: 'U_ADMIN', what: 'command.report', outcome: 'allowed' });
    const files = await s.waitFor('the re-uploaded report', () => {
      const shared = s.slack.files('C_GENERAL', threadTs);
      return shared.length >= 2 ? shared : undefined;
    });
    expect(files.map((file) => file.name)).toEqual([
      `migration-report-${id}.csv`,
      `migration-report-${id}.csv`,
    ]);
    expect(parseCsv(files[1]?.text ?? '').rows).toHaveLength(30);
    // One upload for the run and one for the admin who asked: the refused request added none.
    expect(s.slack.files('C_GENERAL', threadTs)).toHaveLength(2);
  });

  it('a workspace that forbids uploads (file_uploads_disabled) everywhere: the thread is told why and what to do, and the job ends undeliverable', async () => {
    stack = await startStack({ accounts: 20, slack: { refuseUploads: 'file_uploads_disabled' } });
    const s = stack;
    await s.startMigration('U_ADMIN');
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    const id = record.request.migrationId;
    // Retrying cannot help: one attempt, then BullMQ fails the job for good.
    expect(await reportJobSettled(s, id)).toBe('failed');
    const told = s.slack
      .thread('C_GENERAL', record.request.slack?.threadTs ?? '')
      .map((m) => m.text)
      .find((text) => text.includes('could not be delivered'));
    expect(told).toContain('file uploads are disabled in this workspace');
    expect(told).toContain(`/migrate report ${id}`);
    expect(s.slack.files()).toHaveLength(0);
    expect(await reportsOwed(s)).toBe(0);
  });
});
