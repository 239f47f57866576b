import { afterEach, describe, expect, it } from 'vitest';
import { NYLAS_MIGRATION_RATE_PER_SECOND } from '../../src/coordination/rate-budget.js';
import { REPORT_COLUMNS } from '../../src/migration/report.js';
import { parseCsv } from '../helpers/expected-rows.js';
import { clickInModal, clickWithTrigger, openConfirm, planThread, writeCalls } from '../helpers/plan-flow.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V3_APP } from '../helpers/worker-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Starts a plan from the confirm view as U_ADMIN; the plan's thread once its parent is posted. */
async function startPlan(s: Stack) {
  const modal = await openConfirm(s);
  const click = await clickInModal(s, 'U_ADMIN', modal, 'migrate_plan_first');
  expect(click.status).toBe(200);
  const thread = await s.waitFor('the plan thread', () => planThread(s));
  return { modal, ...thread };
}

/** The plan's id, as its parent message shows it (running or ended). */
function planIdOf(s: Stack, parentTs: string): string {
  const parent = s.slack.messages('C_GENERAL').find((m) => m.ts === parentTs);
  const match = /(mig_[a-z0-9]+)/.exec(JSON.stringify(parent?.blocks ?? []));
  if (!match?.[1]) throw new Error('no plan id on the parent');
  return match[1];
}

describe('Plan (dry run)', () => {
  it('predicts what the real run then does, writes nothing at Nylas, and Migrate now runs it', async () => {
    stack = await startStack({ accounts: 150 });
    const s = stack;
    s.nylas.resetCounters();
    const { modal, parent, replies } = await startPlan(s);
    const planId = planIdOf(s, parent.ts);

    // The modal became a notice pointing at the thread.
    await s.waitFor(
      'the modal notice',
      () => JSON.stringify(s.slack.view(modal.viewId)).includes('Plan started') || undefined,
    );
    const runButton = await s.waitFor('Migrate now', () =>
      replies().find((m) => JSON.stringify(m.blocks ?? []).includes('migrate_now')),
    );
    const plan = await s.waitFor('the plan recorded', async () => {
      const latest = await s.records.get(planId);
      return latest?.status === 'completed' ? latest : undefined;
    });
    expect(plan?.request.mode).toBe('plan');

    // Zero writes at Nylas, from the simulator's own request log; the reads it made.
    expect(writeCalls(s)).toEqual([]);
    const requests = s.nylas.counters().requests;
    expect(requests['GET /a/:client_id/webhooks']).toBe(1);
    expect(requests['GET /a/:client_id/accounts']).toBeGreaterThanOrEqual(2);
    expect(s.nylas.application(V3_APP.applicationId).v2_application_id).toBeUndefined();
    expect(s.nylas.grants(V3_APP.applicationId)).toHaveLength(0);

    // The thread's tables: outcomes by provider, connectors, redirect URIs, webhooks, duration.
    const text = replies()
      .map((m) => JSON.stringify(m.blocks ?? []))
      .join('\n');
    expect(text).toContain('Predicted outcome of 150 accounts');
    expect(text).toContain('will fail');
    expect(text).toContain('Connectors to create or fix before migrating');
    expect(text).toMatch(/yahoo: create a yahoo connector in the v3 app \(\d+ accounts? needs? it\)/);
    expect(text).toContain('Redirect URIs the import copies to v3');
    expect(text).toContain('Webhooks to recreate on v3');
    expect(text).toMatch(/account\.connected +grant\.created/);
    expect(text).toMatch(/account\.running +no v3 equivalent/);
    // A callback URL's path and query (a token, often) are not repeated in the thread: only its origin.
    expect(text).toContain('https://hooks.example.com/… ');
    expect(text).not.toContain('/nylas/mail');
    expect(text).not.toContain('whsec-sim-0001');
    expect(text).toContain(`at ${NYLAS_MIGRATION_RATE_PER_SECOND} requests per second`);
    expect(text).toContain('not linked yet; 0 grants already on it');
    const finalParent = s.slack.messages('C_GENERAL').find((m) => m.ts === parent.ts);
    expect(finalParent?.text).toMatch(/^Plan "Acme on v3"/);
    expect(JSON.stringify(finalParent?.blocks)).not.toContain('migrate_cancel');

    // The CSV of predictions: the report's header, one row per v2 account.
    const planFile = await s.waitFor('the plan CSV', () => s.slack.files('C_GENERAL', parent.ts)[0]);
    expect(planFile.name).toBe(`migration-plan-${planId}.csv`);
    const predicted = parseCsv(planFile.text);
    expect(predicted.header).toEqual([...REPORT_COLUMNS]);
    expect(predicted.rows).toHaveLength(s.nylas.accounts(V2_APP.clientId).length);

    // A plan has no report to re-upload: its CSV is in its thread.
    const reupload = await s.command('U_ADMIN', `report ${planId}`);
    expect((reupload.json as { text: string }).text).toContain('is a plan (a dry run)');

    // Migrate now opens the confirmation with the same choices; Create app runs the real migration.
    const opensBefore = s.opensSoFar();
    const now = await clickWithTrigger(s, 'U_ADMIN', {
      messageTs: runButton.ts,
      threadTs: parent.ts,
      actionId: 'migrate_now',
      value: planId,
    });
    expect(now.status).toBe(200);
    const confirm = await s.openedView(opensBefore);
    expect(confirm.view.callback_id).toBe('migrate_confirm');
    expect(JSON.parse(String(confirm.view.private_metadata)).form).toMatchObject({
      v2AppId: V2_APP.clientId,
      v3AppId: V3_APP.applicationId,
      title: 'Acme on v3',
      environment: 'Production',
    });
    await s.submitView('U_ADMIN', confirm.view);
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    const threadTs = record.request.slack?.threadTs ?? '';
    const report = await s.waitFor('the report', () => s.slack.files('C_GENERAL', threadTs)[0]);
    const actual = parseCsv(report.text);

    // Per account: the predicted status is the status the run wrote (random faults are off).
    const predictedById = new Map(predicted.rows.map((row) => [row.v2_account_id, row.status]));
    const differences = actual.rows.filter((row) => predictedById.get(row.v2_account_id) !== row.status);
    expect(differences).toEqual([]);
    expect(new Set(actual.rows.map((r) => r.status)).size).toBeGreaterThanOrEqual(3);
  });

  it('refuses a non-admin’s Plan first and Migrate now', async () => {
    stack = await startStack({ accounts: 20 });
    const s = stack;
    const modal = await openConfirm(s);
    const refused = await clickInModal(s, 'U_MEMBER', modal, 'migrate_plan_first');
    expect(refused.status).toBe(200);
    await s.waitFor(
      'the refusal in the modal',
      () => JSON.stringify(s.slack.view(modal.viewId)).includes('Not allowed') || undefined,
    );
    expect(planThread(s)).toBeUndefined();
    expect(s.audits().some((a) => a.what === 'button.plan_first' && a.outcome === 'refused')).toBe(true);

    const { parent, replies } = await startPlan(s);
    const planId = planIdOf(s, parent.ts);
    const runButton = await s.waitFor('Migrate now', () =>
      replies().find((m) => JSON.stringify(m.blocks ?? []).includes('migrate_now')),
    );
    const opensBefore = s.opensSoFar();
    await clickWithTrigger(s, 'U_MEMBER', {
      messageTs: runButton.ts,
      threadTs: parent.ts,
      actionId: 'migrate_now',
      value: planId,
    });
    await s.waitFor('the refusal', () =>
      s.responsesTo('U_MEMBER').find((r) => JSON.stringify(r).includes('Only verified admins')),
    );
    expect(s.opensSoFar()).toBe(opensBefore);
    expect(s.audits().some((a) => a.what === 'button.migrate_now' && a.outcome === 'refused')).toBe(true);
  });

  it('refuses Retry failed on a plan: nothing starts and nothing is written at Nylas', async () => {
    stack = await startStack({ accounts: 20 });
    const s = stack;
    const { parent, replies } = await startPlan(s);
    const planId = planIdOf(s, parent.ts);
    await s.waitFor(
      'the plan recorded',
      async () => (await s.records.get(planId))?.status === 'completed' || undefined,
    );
    const last = await s.waitFor('Migrate now', () =>
      replies().find((m) => JSON.stringify(m.blocks ?? []).includes('migrate_now')),
    );
    s.nylas.resetCounters();
    // A stale or forged Retry failed carrying the plan's id.
    const retry = await s.click('U_ADMIN', {
      channelId: 'C_GENERAL',
      messageTs: last.ts,
      threadTs: parent.ts,
      actionId: 'migrate_retry_failed',
      value: planId,
    });
    expect(retry.status).toBe(200);
    await s.waitFor('the refusal', () =>
      s.responsesTo('U_ADMIN').find((r) => JSON.stringify(r).includes('A plan cannot be retried')),
    );
    // No run was reserved or started (the plan itself is not listed among migrations).
    expect(await s.records.recent(5)).toEqual([]);
    expect(replies().some((m) => m.text.startsWith('Retry of the failed accounts'))).toBe(false);
    expect(await s.redis.get(s.records.keys.activeV2(V2_APP.clientId))).toBeNull();
    expect(writeCalls(s)).toEqual([]);
    expect(s.nylas.counters().requests).toEqual({});
  });

  it('posts what it can when Slack fails a table, and never runs the plan twice', async () => {
    stack = await startStack({ accounts: 20 });
    const s = stack;
    // The plan's account listing waits (one timeout) until the Slack fault is in place.
    s.nylas.injectFaults({ match: 'v2-accounts', kind: 'timeout', times: 1 });
    const { parent, replies } = await startPlan(s);
    const planId = planIdOf(s, parent.ts);
    await s.waitFor('the plan milestone', () =>
      replies().find((m) => m.text.startsWith('Plan: preflight passed')),
    );
    await s.waitFor(
      'the plan listing',
      () => (s.nylas.counters().requests['GET /a/:client_id/accounts'] ?? 0) > 0 || undefined,
    );
    s.nylas.resetCounters();
    // After the listing the thread gets the "Found N accounts" milestone (three tries, then dropped) and
    // then the tables: the fourth failure lands on the first table.
    s.slack.failNext({ method: 'chat.postMessage', kind: 'error', error: 'internal_error', times: 4 });

    const plan = await s.waitFor('the plan recorded', async () => {
      const latest = await s.records.get(planId);
      return latest && ['completed', 'failed', 'cancelled'].includes(latest.status) ? latest : undefined;
    });
    expect(plan.status).toBe('completed');
    // The last fault hit the plan's first table; the rest of the thread was posted once.
    const failed = s.slack.calls('chat.postMessage').filter((c) => c.fault);
    expect(failed.map((c) => c.args.thread_ts)).toEqual([parent.ts, parent.ts, parent.ts, parent.ts]);
    expect(String(failed[3]?.args.text)).toMatch(/^Plan: 20 accounts/);
    await s.waitFor('Migrate now', () =>
      replies().find((m) => JSON.stringify(m.blocks ?? []).includes('migrate_now')),
    );
    expect(s.nylas.counters().requests['GET /a/:client_id/accounts']).toBe(1);
    expect(replies().filter((m) => m.text.startsWith('Plan: preflight passed'))).toHaveLength(1);
    expect(s.slack.files('C_GENERAL', parent.ts)).toHaveLength(1);
  });

  it('Cancel stops a plan; a real migration of the same apps starts while a plan runs', async () => {
    // The plan's first account page hangs (three timeouts, the fourth attempt answers): time to act.
    stack = await startStack({ accounts: 150 });
    const s = stack;
    s.nylas.injectFaults({ match: 'v2-accounts', kind: 'timeout', times: 3 });
    const { parent, replies } = await startPlan(s);
    const planId = planIdOf(s, parent.ts);
    await s.waitFor(
      'the plan listing',
      () => (s.nylas.counters().requests['GET /a/:client_id/accounts'] ?? 0) > 0 || undefined,
    );

    // No reservation: the same apps can be migrated at once.
    expect(await s.redis.get(s.records.keys.activeV2(V2_APP.clientId))).toBeNull();
    const started = await s.startMigration('U_ADMIN');
    expect((started.confirm.json as { response_action?: string }).response_action).toBe('clear');
    expect((await s.records.get(planId))?.status).toBe('running');

    const cancel = await s.click('U_OWNER', {
      channelId: 'C_GENERAL',
      messageTs: parent.ts,
      actionId: 'migrate_cancel',
      value: planId,
    });
    expect(cancel.status).toBe(200);
    await s.waitFor(
      'the plan cancelled',
      async () => (await s.records.get(planId))?.status === 'cancelled' || undefined,
    );
    await s.waitFor('the cancel reply', () =>
      replies().find((m) => m.text === 'Plan cancelled by <@U_OWNER>'),
    );
    expect(replies().some((m) => JSON.stringify(m.blocks ?? []).includes('migrate_now'))).toBe(false);
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
  });
});
