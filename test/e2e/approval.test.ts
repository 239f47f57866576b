import { afterEach, describe, expect, it } from 'vitest';
import { migrationRequestSchema, newMigrationId } from '../../src/migration/request.js';
import { APPROVAL_EXPIRY_QUEUE } from '../../src/queue/approval-expiry-queue.js';
import { createMigrationQueue, enqueueMigration } from '../../src/queue/migration-queue.js';
import { migrationKeys } from '../../src/store/keys.js';
import { buttonClick, postToBot } from '../../testkit/slack-sim/driver.js';
import { viewText } from '../../testkit/slack-sim/index.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V3_APP } from '../helpers/worker-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const LINK = 'POST /v3/migration-tools/link-v2v3-apps';
const APPROVAL_ON = { MIGRATE_APPROVAL_ENVIRONMENTS: 'Production' };

/** Starts a Production migration as U_ADMIN and waits until it is held for approval. */
async function requestProduction(s: Stack, values: { environment?: string } = {}) {
  const { confirmView } = await s.startMigration('U_ADMIN', values);
  const record = await s.waitForRecord(['awaiting_approval']);
  const thread = record.request.slack;
  if (!thread?.threadTs) throw new Error('no thread');
  const parentTs = thread.threadTs;
  return {
    record,
    confirmView,
    id: record.request.migrationId,
    parent: () => s.slack.messages('C_GENERAL').find((m) => m.ts === parentTs),
    replies: () => s.slack.thread('C_GENERAL', parentTs),
    click: (
      userId: string,
      action: 'migrate_approve' | 'migrate_reject',
      value = record.request.migrationId,
    ) => s.click(userId, { channelId: 'C_GENERAL', messageTs: parentTs, actionId: action, value }),
  };
}

const linkCalls = (s: Stack) => s.nylas.counters().requests[LINK] ?? 0;
const auditsOf = (s: Stack, who: string, what: string) =>
  s.audits().filter((line) => line.who === who && line.what === what);
const told = (s: Stack, userId: string, pattern: RegExp) =>
  s.waitFor(`an answer to ${userId} matching ${pattern}`, () =>
    s.responsesTo(userId).find((r) => pattern.test(String(r.body.text))),
  );

describe('two-person approval (MIGRATE_APPROVAL_ENVIRONMENTS)', () => {
  it('holds a Production run until a second admin approves; the approver shows everywhere', async () => {
    stack = await startStack({ accounts: 40, env: APPROVAL_ON });
    const s = stack;
    const run = await requestProduction(s);
    // The confirmation said so before "Create app".
    expect(JSON.stringify(run.confirmView)).toContain('Production needs a second admin');

    // Held: apps reserved, parent with Approve/Reject, nothing queued, nothing at Nylas.
    const waiting = JSON.stringify(run.parent()?.blocks);
    expect(waiting).toContain('Waiting for a second admin');
    expect(waiting).toContain('migrate_approve');
    expect(waiting).toContain('migrate_reject');
    expect(waiting).not.toContain('migrate_cancel');
    await s.waitFor('the approval request in the thread', () =>
      run.replies().find((m) => /waiting for a second admin to press \*Approve\*/.test(m.text)),
    );
    const queue = createMigrationQueue(s.redis, s.prefix);
    try {
      expect(await queue.getJob(run.id)).toBeUndefined();
    } finally {
      await queue.close();
    }
    expect(linkCalls(s)).toBe(0);
    expect((await s.records.active('v2', V2_APP.clientId))?.request.migrationId).toBe(run.id);
    const statusWhileWaiting = await s.command('U_OWNER', 'status');
    expect(JSON.stringify(statusWhileWaiting.json)).toContain('waiting for a second admin');

    await run.click('U_OWNER', 'migrate_approve');
    const done = await s.waitForRecord(['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    expect(done.approval).toMatchObject({ decision: 'approved', by: 'U_OWNER' });
    expect(done.approval?.at).toBeGreaterThan(run.record.request.createdAt);
    expect(linkCalls(s)).toBe(1);

    // The thread names the approver, the summary too, and the parent ends finished with the approver.
    const texts = () => run.replies().map((m) => m.text);
    expect(texts().find((t) => t.includes('Approved by <@U_OWNER> at'))).toBeDefined();
    const summary = await s.waitFor('the summary', () =>
      run.replies().find((m) => m.text.startsWith('Migration finished')),
    );
    expect(JSON.stringify(summary.blocks)).toMatch(/Approved by <@U_OWNER> at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(JSON.stringify(run.parent()?.blocks)).toContain('approved by <@U_OWNER>');
    expect(JSON.stringify(run.parent()?.blocks)).toContain('finished');

    // /migrate status and the audit log say it as well.
    const status = await s.command('U_ADMIN', 'status');
    expect(JSON.stringify(status.json)).toContain('approved by <@U_OWNER>');
    expect(auditsOf(s, 'U_OWNER', 'button.approve')).toContainEqual(
      expect.objectContaining({ outcome: 'allowed', reason: 'approved', migrationId: run.id }),
    );
  });

  it('enqueues the approved job before the thread reply and parent edit, however slow Slack is', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    const run = await requestProduction(s);
    await s.waitFor('the approval request in the thread', () =>
      run.replies().find((m) => /waiting for a second admin/.test(m.text)),
    );
    // Slack answers slowly from now on (each call well within the client's timeout).
    s.slack.setLatency('chat.postMessage', 4_000);
    s.slack.setLatency('chat.update', 4_000);
    const click = run.click('U_OWNER', 'migrate_approve');
    const queue = createMigrationQueue(s.redis, s.prefix);
    try {
      await s.waitFor('the approved job', () => queue.getJob(run.id));
    } finally {
      await queue.close();
    }
    // The job is there while the "Approved by" reply is still on its way.
    expect(run.replies().find((m) => m.text.includes('Approved by'))).toBeUndefined();
    s.slack.setLatency('chat.postMessage', 0);
    s.slack.setLatency('chat.update', 0);
    await click;
    const done = await s.waitForRecord(['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    await s.waitFor('the approval reply', () =>
      run.replies().find((m) => m.text.includes('Approved by <@U_OWNER>')),
    );
    await s.waitFor(
      'the parent to end finished',
      () => JSON.stringify(run.parent()?.blocks).includes('finished') || undefined,
    );
  });

  it('refuses the requester’s own Approve, a non-admin, a forged id and a bad signature; all audited', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    const run = await requestProduction(s);

    await run.click('U_ADMIN', 'migrate_approve');
    await told(s, 'U_ADMIN', /another verified admin must approve it/);
    expect(auditsOf(s, 'U_ADMIN', 'button.approve')).toContainEqual(
      expect.objectContaining({ outcome: 'refused', reason: 'self_approval', migrationId: run.id }),
    );

    await run.click('U_MEMBER', 'migrate_approve');
    await told(s, 'U_MEMBER', /Only verified admins can approve/);
    expect(auditsOf(s, 'U_MEMBER', 'button.approve')).toContainEqual(
      expect.objectContaining({ outcome: 'refused' }),
    );

    // Another workspace's click on the same button: refused before anything is read.
    await s.click('U_OWNER', {
      channelId: 'C_GENERAL',
      messageTs: String(run.record.request.slack?.threadTs),
      actionId: 'migrate_approve',
      value: run.id,
      teamId: 'T_OTHER',
    });
    await told(s, 'U_OWNER', /Only verified admins can approve/);
    // A made-up migration id, and a bad signature.
    await run.click('U_OWNER', 'migrate_approve', 'mig_doesnotexist1');
    await told(s, 'U_OWNER', /no longer known/);
    expect(auditsOf(s, 'U_OWNER', 'button.approve')).toContainEqual(
      expect.objectContaining({ outcome: 'refused', reason: 'unknown_migration' }),
    );
    const forged = await postToBot(
      s.botUrl,
      buttonClick({
        userId: 'U_OWNER',
        channelId: 'C_GENERAL',
        messageTs: String(run.record.request.slack?.threadTs),
        actionId: 'migrate_approve',
        value: run.id,
      }),
      { signature: 'v0=deadbeef' },
    );
    expect(forged.status).toBe(401);

    // A run recorded for another workspace (as a replayed payload from elsewhere would name it).
    const requestKey = migrationKeys(s.prefix).request(run.id);
    const stored = JSON.parse(String(await s.redis.get(requestKey))) as Record<string, unknown>;
    await s.redis.set(requestKey, JSON.stringify({ ...stored, teamId: 'T_ELSEWHERE' }));
    await run.click('U_PRIMARY', 'migrate_approve');
    await told(s, 'U_PRIMARY', /belongs to another workspace/);
    expect(auditsOf(s, 'U_PRIMARY', 'button.approve')).toContainEqual(
      expect.objectContaining({ outcome: 'refused', reason: 'wrong_team' }),
    );

    // Still waiting: no job, nothing at Nylas.
    expect((await s.records.get(run.id))?.status).toBe('awaiting_approval');
    expect((await s.records.get(run.id))?.approval).toBeUndefined();
    expect(linkCalls(s)).toBe(0);
  });

  it('refuses an Approve of a run that is not waiting (a Staging run, started at once)', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    const { confirmView } = await s.startMigration('U_ADMIN', { environment: 'Staging' });
    expect(JSON.stringify(confirmView)).not.toContain('needs a second admin');
    const done = await s.waitForRecord(['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    expect(done.approval).toBeUndefined();
    expect(linkCalls(s)).toBe(1);
    const thread = done.request.slack;
    await s.click('U_OWNER', {
      channelId: 'C_GENERAL',
      messageTs: String(thread?.threadTs),
      actionId: 'migrate_approve',
      value: done.request.migrationId,
    });
    await told(s, 'U_OWNER', /not waiting for approval \(it is completed\)/);
    expect(auditsOf(s, 'U_OWNER', 'button.approve')).toContainEqual(
      expect.objectContaining({ outcome: 'refused', reason: 'not_waiting' }),
    );
  });

  it('starts exactly one job for two approvals 40 ms apart', async () => {
    stack = await startStack({ accounts: 30, env: APPROVAL_ON });
    const s = stack;
    const run = await requestProduction(s);
    const first = run.click('U_OWNER', 'migrate_approve');
    // The scenario itself: a second admin clicks 40 ms after the first.
    await new Promise((resolve) => setTimeout(resolve, 40));
    const second = run.click('U_PRIMARY', 'migrate_approve');
    await Promise.all([first, second]);
    const done = await s.waitForRecord(['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    expect(linkCalls(s)).toBe(1);
    const approvals = run.replies().filter((m) => /^:white_check_mark: Approved by/.test(m.text));
    expect(approvals).toHaveLength(1);
    const allowed = s.audits().filter((l) => l.what === 'button.approve' && l.reason === 'approved');
    expect(allowed).toHaveLength(1);
    const loser = allowed[0]?.who === 'U_OWNER' ? 'U_PRIMARY' : 'U_OWNER';
    await told(s, loser, /not waiting for approval/);
    expect(done.approval?.by).toBe(allowed[0]?.who);
  });

  it('Reject (or the requester withdrawing) releases the apps and says so', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    const withdrawn = await requestProduction(s);
    await withdrawn.click('U_ADMIN', 'migrate_reject');
    await s.waitFor('the withdrawal', () =>
      withdrawn.replies().find((m) => m.text.includes('withdrawn by the requester')),
    );
    const after = await s.records.get(withdrawn.id);
    expect(after).toMatchObject({ status: 'cancelled', approval: { decision: 'rejected', by: 'U_ADMIN' } });

    // The same apps can be asked for again at once; this time another admin rejects.
    const again = await requestProduction(s);
    expect(again.id).not.toBe(withdrawn.id);
    await again.click('U_OWNER', 'migrate_reject');
    await s.waitFor('the rejection reply', () =>
      again.replies().find((m) => m.text.startsWith(':no_entry_sign: Rejected by <@U_OWNER>')),
    );
    const parent = JSON.stringify(again.parent()?.blocks);
    expect(parent).toContain('was rejected');
    expect(parent).not.toContain('migrate_approve');
    expect(await s.records.active('v2', V2_APP.clientId)).toBeUndefined();
    expect(await s.records.active('v3', V3_APP.applicationId)).toBeUndefined();
    expect(linkCalls(s)).toBe(0);
    expect(auditsOf(s, 'U_OWNER', 'button.reject')).toContainEqual(
      expect.objectContaining({ outcome: 'allowed', reason: 'rejected', migrationId: again.id }),
    );
    // An Approve after the rejection changes nothing.
    await again.click('U_PRIMARY', 'migrate_approve');
    await told(s, 'U_PRIMARY', /It was already rejected by <@U_OWNER>/);
    expect(linkCalls(s)).toBe(0);
  });

  it('expires a request nobody decided on: apps released, the thread and parent say so', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON, approvalWindowMs: 1_500 });
    const s = stack;
    const run = await requestProduction(s);
    const ended = await s.waitFor('the expiry', async () => {
      const record = await s.records.get(run.id);
      return record?.status === 'cancelled' ? record : undefined;
    });
    expect(ended.approval).toMatchObject({ decision: 'expired' });
    await s.waitFor('the expiry reply', () =>
      run.replies().find((m) => m.text.startsWith(':hourglass: Approval expired')),
    );
    await s.waitFor('the parent edit', () =>
      JSON.stringify(run.parent()?.blocks).includes('was not approved in time') ? true : undefined,
    );
    expect(s.audits()).toContainEqual(
      expect.objectContaining({ what: 'approval.expire', outcome: 'allowed', migrationId: run.id }),
    );
    expect(await s.records.active('v2', V2_APP.clientId)).toBeUndefined();
    expect(linkCalls(s)).toBe(0);
    // A late Approve is refused and starts nothing.
    await run.click('U_OWNER', 'migrate_approve');
    await told(s, 'U_OWNER', /not waiting for approval/);
    expect(linkCalls(s)).toBe(0);
  });

  it('Retry failed of an approved Production run waits for a second admin too', async () => {
    stack = await startStack({ accounts: 40, env: APPROVAL_ON });
    const s = stack;
    const run = await requestProduction(s);
    await run.click('U_OWNER', 'migrate_approve');
    const first = await s.waitForRecord(['completed', 'failed', 'cancelled']);
    expect(first.summary?.counts.failed).toBeGreaterThan(0);
    await s.waitFor('the summary', () => run.replies().find((m) => m.text.startsWith('Migration finished')));

    await s.click('U_ADMIN', {
      channelId: 'C_GENERAL',
      messageTs: String(first.request.slack?.threadTs),
      actionId: 'migrate_retry_failed',
      value: first.request.migrationId,
    });
    const retry = await s.waitForRecord(['awaiting_approval']);
    expect(retry.request).toMatchObject({ mode: 'only_failed', retryOf: first.request.migrationId });
    expect(retry.approval).toBeUndefined();
    await s.waitFor('the parent asking again', () =>
      JSON.stringify(run.parent()?.blocks).includes('Retry of failed accounts') &&
      JSON.stringify(run.parent()?.blocks).includes('migrate_approve')
        ? true
        : undefined,
    );
    const linksBefore = linkCalls(s);
    const clonesBefore = Object.values(s.nylas.counters().cloneCalls).reduce((a, b) => a + b, 0);

    await run.click('U_PRIMARY', 'migrate_approve', retry.request.migrationId);
    const done = await s.waitFor('the retry to finish', async () => {
      const record = await s.records.get(retry.request.migrationId);
      return record && ['completed', 'failed', 'cancelled'].includes(record.status) ? record : undefined;
    });
    expect(done.status).toBe('completed');
    expect(done.approval).toMatchObject({ decision: 'approved', by: 'U_PRIMARY' });
    expect(linkCalls(s)).toBe(linksBefore); // already linked: the retry only clones the failed ones
    expect(Object.values(s.nylas.counters().cloneCalls).reduce((a, b) => a + b, 0)).toBeGreaterThan(
      clonesBefore,
    );
  });

  it('starts a Staging run at once when only Production needs approval', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    await s.startMigration('U_ADMIN', { environment: 'Staging' });
    const done = await s.waitForRecord(['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    expect(s.audits().some((l) => String(l.what).startsWith('button.'))).toBe(false);
  });

  it('the worker refuses a job enqueued around the approval and says so in the thread', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    const run = await requestProduction(s);
    // A job added behind the bot's back (no decision in the record).
    const queue = createMigrationQueue(s.redis, s.prefix);
    try {
      await enqueueMigration(queue, run.record.request);
    } finally {
      await queue.close();
    }
    const failed = await s.waitFor('the refusal', async () => {
      const record = await s.records.get(run.id);
      return record?.status === 'failed' ? record : undefined;
    });
    expect(failed.reason).toMatch(/needs a second admin's approval and its record shows none/);
    await s.waitFor('the refusal in the thread', () =>
      run.replies().find((m) => /needs a second admin's approval/.test(m.text)),
    );
    expect(linkCalls(s)).toBe(0);
    expect(await s.records.active('v2', V2_APP.clientId)).toBeUndefined();
  });

  it('the worker runs a Production job queued before approval was turned on (no approval window on record)', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    // What a run queued by the previous deploy (approval off) looks like: reserved and queued, no window.
    const request = migrationRequestSchema.parse({
      migrationId: newMigrationId(Date.now()),
      v2AppId: V2_APP.clientId,
      v3AppId: V3_APP.applicationId,
      title: 'Queued before the deploy',
      environment: 'Production',
      options: {},
      requestedBy: 'U_ADMIN',
      createdAt: Date.now(),
    });
    expect((await s.records.reserve(request)).ok).toBe(true);
    await s.records.setStatus(request.migrationId, 'queued', { queuedAt: String(Date.now()) });
    const queue = createMigrationQueue(s.redis, s.prefix);
    try {
      await enqueueMigration(queue, request);
    } finally {
      await queue.close();
    }
    const done = await s.waitForRecord(['completed', 'failed', 'cancelled']);
    expect(done.request.migrationId).toBe(request.migrationId);
    expect(done.status).toBe('completed');
    expect(done.reason ?? '').not.toMatch(/needs a second admin/);
    expect(linkCalls(s)).toBe(1);
  });

  it('undoes a hold whose expiry could not be scheduled: apps free, the parent says it did not start', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    // The expiry queue's delayed set holds the wrong type: scheduling the expiry fails (Redis answers WRONGTYPE).
    await s.redis.set(`${s.prefix}:${APPROVAL_EXPIRY_QUEUE}:delayed`, 'not a sorted set');
    await s.startMigration('U_ADMIN');
    const parent = await s.waitFor('the parent saying it did not start', () =>
      s.slack.messages('C_GENERAL').find((m) => m.text === 'This migration could not be started.'),
    );
    expect(JSON.stringify(parent.blocks ?? [])).not.toContain('migrate_reject');
    expect(await s.records.active('v2', V2_APP.clientId)).toBeUndefined();
    expect(await s.records.active('v3', V3_APP.applicationId)).toBeUndefined();
    expect(await s.records.recent(5)).toEqual([]);
    expect(linkCalls(s)).toBe(0);
  });

  it('refreshes an open App Home when a run starts waiting and when it is rejected', async () => {
    stack = await startStack({ accounts: 20, env: APPROVAL_ON });
    const s = stack;
    const home = () => viewText(s.slack.homeView('U_OWNER'));
    await s.openHome('U_OWNER');
    await s.waitFor('the first Home', () => s.slack.homeView('U_OWNER'));
    const opened = s.slack.homePublishes('U_OWNER').length;

    // Neither change below opens the Home again: each refresh comes from the decision itself.
    const run = await requestProduction(s);
    await s.waitFor('the Home to show the held run', () => /awaiting approval/.test(home()) || undefined);
    await run.click('U_OWNER', 'migrate_reject');
    await s.waitFor(
      'the Home to show the rejection',
      () => home().includes('rejected by @U_OWNER') || undefined,
    );
    expect(home()).not.toMatch(/awaiting approval/);
    expect(s.slack.homePublishes('U_OWNER').length).toBeGreaterThan(opened);
  });
});
