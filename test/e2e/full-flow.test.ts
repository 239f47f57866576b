import { afterEach, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../../src/migration/report.js';
import { finalStatus, parseCsv } from '../helpers/expected-rows.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP } from '../helpers/worker-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function threadOf(s: Stack, channel = 'C_GENERAL') {
  const parent = s.slack.messages(channel).find((m) => m.text.startsWith('Migration "'));
  if (!parent) throw new Error('no parent message');
  return { parent, replies: () => s.slack.thread(channel, parent.ts) };
}

describe('the whole flow, as an admin sees it in Slack', () => {
  it('posts the parent, a reply per step, the CSV in the thread and the summary', async () => {
    stack = await startStack({ accounts: 150 });
    const s = stack;
    await s.startMigration('U_ADMIN');
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    const { parent, replies } = threadOf(s);
    const file = await s.waitFor('the CSV in the thread', () => s.slack.files('C_GENERAL', parent.ts)[0]);
    await s.waitFor('the summary', () => replies().find((m) => m.text.startsWith('Migration finished')));

    // The parent says who started what, and ends finished with counts and no Cancel button.
    const parentNow = s.slack.messages('C_GENERAL').find((m) => m.ts === parent.ts);
    const parentBlocks = JSON.stringify(parentNow?.blocks);
    expect(parentBlocks).toContain('<@U_ADMIN>');
    expect(parentBlocks).toContain(V2_APP.clientId);
    expect(parentBlocks).toContain('Production');
    expect(parentBlocks).toContain('US');
    expect(parentBlocks).toContain('finished');
    expect(parentBlocks).not.toContain('migrate_cancel');
    expect(parentNow?.edits).toBeGreaterThan(0);

    // One reply per step and milestone, in order; every message has a text fallback.
    const texts = replies().map((m) => m.text);
    const order = [
      'Preflight passed',
      'Linked v2 application',
      'Imported the v2 settings',
      'Applied title',
      'Connectors copied to v3',
      'Found 150 accounts',
      'Migration finished',
    ];
    const positions = order.map((start) => texts.findIndex((t) => t.startsWith(start)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const message of [parentNow, ...replies()]) expect(message?.missingTextFallback).toBe(false);
    expect(replies().length).toBeLessThan(20);

    // The CSV: exact header, one row per v2 account, statuses as the simulator's rules say.
    expect(file.name).toBe(`migration-report-${record.request.migrationId}.csv`);
    const { header, rows } = parseCsv(file.text);
    expect(header).toEqual([...REPORT_COLUMNS]);
    const accounts = s.nylas.accounts(V2_APP.clientId);
    expect(rows).toHaveLength(accounts.length);
    accounts.forEach((account, i) => {
      expect(rows[i]?.v2_account_id).toBe(account.id);
      expect(rows[i]?.status).toBe(finalStatus(s.nylas, V2_APP.clientId, account));
    });

    // The summary: counts, the accounts to re-authenticate (cut to 20), the checklist, Retry failed.
    const summary = replies().find((m) => m.text.startsWith('Migration finished'));
    const summaryBlocks = JSON.stringify(summary?.blocks);
    expect(summaryBlocks).toContain('Follow-up checklist');
    expect(summaryBlocks).toMatch(/users must authenticate again on v3/);
    const reauthLines = (summaryBlocks.match(/• [^\\]*@[^\\]*\(/g) ?? []).length;
    expect(reauthLines).toBeLessThanOrEqual(20);
    if (rows.some((r) => r.status === 'failed')) expect(summaryBlocks).toContain('migrate_retry_failed');

    // Slack calls stay bounded for the whole migration.
    expect(s.slack.calls().length).toBeLessThanOrEqual(130);
  });

  it('Cancel mid-run stops it, the report still comes; Retry failed runs again in the same thread with a fresh report', async () => {
    stack = await startStack({
      accounts: 400,
      nylas: { latencyMs: { min: 20, max: 50 } },
      ratePerSecond: 40,
    });
    const s = stack;
    await s.startMigration('U_ADMIN');
    const running = await s.waitForRecord(['running']);
    await s.waitFor(
      'some progress',
      async () => ((await s.records.get(running.request.migrationId))?.progress?.done ?? 0) > 40 || undefined,
    );
    const { parent, replies } = threadOf(s);
    const cancel = await s.click('U_OWNER', {
      channelId: 'C_GENERAL',
      messageTs: parent.ts,
      actionId: 'migrate_cancel',
      value: running.request.migrationId,
    });
    expect(cancel.status).toBe(200);
    const cancelled = await s.waitForRecord(['cancelled', 'completed', 'failed']);
    expect(cancelled.status).toBe('cancelled');
    await s.waitFor('the first report', () => s.slack.files('C_GENERAL', parent.ts)[0]);
    await s.waitFor('the cancel summary', () =>
      replies().find((m) => m.text.startsWith('Migration cancelled')),
    );
    expect(replies().some((m) => m.text === 'Cancel requested by <@U_OWNER>')).toBe(true);
    const first = parseCsv(s.slack.files('C_GENERAL', parent.ts)[0]?.text ?? '');
    expect(first.rows.filter((r) => r.status === 'cancelled').length).toBeGreaterThan(0);

    const summary = replies().find((m) => m.text.startsWith('Migration cancelled'));
    expect(JSON.stringify(summary?.blocks)).toContain('migrate_retry_failed');
    const retry = await s.click('U_ADMIN', {
      channelId: 'C_GENERAL',
      messageTs: summary?.ts ?? '',
      actionId: 'migrate_retry_failed',
      value: running.request.migrationId,
    });
    expect(retry.status).toBe(200);
    await s.waitFor('the retry to finish', async () => {
      const latest = (await s.records.recent(5))[0];
      return latest &&
        latest.request.mode === 'only_failed' &&
        ['completed', 'failed', 'cancelled'].includes(latest.status)
        ? latest
        : undefined;
    });
    const second = await s.waitFor('the second report', () => s.slack.files('C_GENERAL', parent.ts)[1]);
    const rows = parseCsv(second.text).rows;
    expect(rows).toHaveLength(400);
    expect(rows.some((r) => r.status === 'cancelled')).toBe(false);
    expect(s.nylas.counters().duplicateGrants).toBe(0);
    // Still one thread: no new top-level message for the retry.
    expect(
      s.slack
        .messages('C_GENERAL')
        .filter((m) => m.text.startsWith('Migration "') || m.text.startsWith('Retry')),
    ).toHaveLength(1);
  });

  it('a double confirm makes one job and one parent message', async () => {
    stack = await startStack({ accounts: 50 });
    const s = stack;
    const before = s.opensSoFar();
    await s.command('U_ADMIN');
    const view = await s.openedView(before);
    const form = await s.submitForm(
      'U_ADMIN',
      { v2AppId: V2_APP.clientId, v3AppId: 'v3-acme', title: 'Twice' },
      view,
    );
    const confirmView = (form.json as { view: Record<string, unknown> }).view;
    const [a, b, c] = await Promise.all([
      s.submitView('U_ADMIN', confirmView),
      s.submitView('U_ADMIN', confirmView),
      s.submitView('U_OWNER', confirmView),
    ]);
    const actions = [a, b, c].map((r) => (r.json as { response_action: string }).response_action).sort();
    expect(actions).toEqual(['clear', 'update', 'update']);
    await s.waitForRecord();
    expect(s.slack.messages('C_GENERAL').filter((m) => m.text.startsWith('Migration "'))).toHaveLength(1);
    expect((await s.records.recent(10)).length).toBe(1);
  });
});
