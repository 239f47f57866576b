import { afterEach, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS } from '../../src/migration/report.js';
import { createJsonLogger } from '../../src/shared/logger.js';
import { LOCAL_APPS, type LocalStack, startLocalStack } from '../../testkit/local-stack.js';
import { commandFields, formValues, viewSubmissionPayload } from '../../testkit/slack-sim/driver.js';
import { finalStatus, parseCsv } from '../helpers/expected-rows.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { TEST_HTTP, TEST_SETTINGS, TEST_WORKER } from '../helpers/worker-harness.js';

/** Not the stand-in's default, so the test shows the token really travels from env to Bolt. */
const APP_TOKEN = 'xapp-1-socket-mode-e2e';

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 45_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The product with SLACK_APP_TOKEN set: Bolt in Socket Mode, no events endpoint, /healthz still served. */
async function startSocketStack() {
  const logLines: Array<Record<string, unknown>> = [];
  const logger = createJsonLogger({}, (line) => logLines.push(JSON.parse(line) as Record<string, unknown>));
  const local = await startLocalStack({
    accounts: 60,
    nylas: { migrationRateLimit: 100 },
    // Strict triggers: views.open must use the trigger id that came in the envelope.
    slack: { appToken: APP_TOKEN, strictTriggers: true },
    env: { SLACK_APP_TOKEN: APP_TOKEN },
    redisUrl: REDIS_URL,
    prefix: uniquePrefix('e2e-socket'),
    logger,
    http: TEST_HTTP,
    worker: {
      ...TEST_WORKER,
      httpTimeoutMs: TEST_HTTP.timeoutMs,
      ratePerSecond: 90,
      reportRetryMs: 200,
      settings: { ...TEST_SETTINGS },
    },
  });
  return { local, logLines };
}

describe('/migrate over Socket Mode', () => {
  it('connects with the app token, answers /migrate over the socket and runs the migration to its CSV', async () => {
    const { local, logLines } = await startSocketStack();
    stack = local;
    const { slack, nylas, records } = local;
    const audits = () => logLines.filter((line) => line.audit === true);

    // Connected before startLocalStack returned (app.start() waits for `hello`), with the app token.
    expect(local.services.bot?.mode).toBe('socket');
    await slack.waitForSocketConnection(5_000);
    expect(slack.socketConnections()).toBe(1);
    expect(slack.calls('apps.connections.open')).toEqual([
      expect.objectContaining({ ok: true, token: APP_TOKEN }),
    ]);

    // The bot's port still serves /healthz, and nothing else: events come over the socket.
    const health = await fetch(`${local.botUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, redis: 'up' });
    expect((await fetch(`${local.botUrl}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(404);

    // A member is refused in the ack itself; nothing opens.
    const refused = await slack.sendSlashCommand(commandFields({ userId: 'U_MEMBER' }));
    expect(refused.ack).toEqual({
      envelope_id: refused.envelopeId,
      payload: {
        response_type: 'ephemeral',
        text: expect.stringMatching(/only workspace admins and owners/),
      },
    });
    expect(slack.views()).toHaveLength(0);

    // An admin gets a bare ack, then the form, opened with the trigger id the stand-in put in the envelope.
    const command = await slack.sendSlashCommand(commandFields({ userId: 'U_ADMIN' }));
    expect(command.ack.payload).toEqual({});
    const opened = await waitFor('views.open', () => slack.views().find((event) => event.kind === 'open'));
    expect(opened.triggerId).toBe(command.triggerId);
    expect(slack.calls('views.open')).toEqual([expect.objectContaining({ ok: true })]);
    const form = opened.view;
    expect(form).toMatchObject({ type: 'modal', callback_id: expect.any(String) });

    // The form's submission is answered in its ack with the confirm view…
    const submitted = await slack.sendInteractive(
      viewSubmissionPayload({
        userId: 'U_ADMIN',
        view: {
          id: opened.viewId,
          callback_id: String(form.callback_id),
          private_metadata: String(form.private_metadata ?? ''),
        },
        values: formValues({
          v2AppId: LOCAL_APPS.v2.clientId,
          v3AppId: LOCAL_APPS.v3.applicationId,
          title: 'Acme on v3',
        }),
      }),
    );
    const push = submitted.ack.payload as { response_action?: string; view?: Record<string, unknown> };
    expect(push.response_action).toBe('push');
    const confirmView = push.view;
    if (confirmView === undefined) throw new Error(`no confirm view: ${JSON.stringify(submitted.ack)}`);

    // …whose submission clears the modal and queues the run.
    const confirmed = await slack.sendInteractive(
      viewSubmissionPayload({
        userId: 'U_ADMIN',
        view: {
          callback_id: String(confirmView.callback_id),
          private_metadata: String(confirmView.private_metadata ?? ''),
        },
        values: {},
      }),
    );
    expect(confirmed.ack).toEqual({
      envelope_id: confirmed.envelopeId,
      payload: { response_action: 'clear' },
    });

    // The worker runs it to the end; the CSV lands in the thread under the parent message.
    const record = await waitFor('the migration to finish', async () => {
      const latest = (await records.recent(5))[0];
      return latest && ['completed', 'cancelled', 'failed'].includes(latest.status) ? latest : undefined;
    });
    expect(record.status).toBe('completed');
    expect(record.request.v2AppId).toBe(LOCAL_APPS.v2.clientId);
    const parent = slack.messages('C_GENERAL').find((message) => message.text.startsWith('Migration "'));
    if (parent === undefined) throw new Error('no parent message in C_GENERAL');
    const file = await waitFor('the CSV in the thread', () => slack.files('C_GENERAL', parent.ts)[0]);
    expect(file.name).toBe(`migration-report-${record.request.migrationId}.csv`);
    const { header, rows } = parseCsv(file.text);
    expect(header).toEqual([...REPORT_COLUMNS]);
    const accounts = nylas.accounts(LOCAL_APPS.v2.clientId);
    expect(rows.map((row) => [row.v2_account_id, row.status])).toEqual(
      accounts.map((account) => [account.id, finalStatus(nylas, LOCAL_APPS.v2.clientId, account)]),
    );
    await waitFor('the summary', () =>
      slack.thread('C_GENERAL', parent.ts).find((message) => message.text.startsWith('Migration finished')),
    );

    expect(audits().map((line) => [line.who, line.what, line.outcome])).toEqual(
      expect.arrayContaining([
        ['U_MEMBER', 'command.open_form', 'refused'],
        ['U_ADMIN', 'command.open_form', 'allowed'],
      ]),
    );
    expect(logLines.filter((line) => line.level === 'error')).toEqual([]);
    expect(JSON.stringify(logLines)).not.toContain(APP_TOKEN);

    // Stopping the bot closes its side of the socket (the stand-in does not have to).
    await local.services.bot?.close();
    await waitFor('the socket to close', () => (slack.socketConnections() === 0 ? true : undefined), 5_000);
  });
  it('a trigger id that expired before the bot used it: no form, the admin is told to type /migrate again', async () => {
    const { local } = await startSocketStack();
    stack = local;
    const { slack } = local;
    const responseUrl = slack.issueResponseUrl({ channel: 'C_GENERAL', user: 'U_ADMIN' });
    // The stand-in issues the envelope's trigger id 5 s in the past: views.open finds it expired.
    const command = await slack.sendSlashCommand(commandFields({ userId: 'U_ADMIN', responseUrl }), {
      triggerAgeMs: 5_000,
    });
    expect(command.ack.payload).toEqual({});
    const notice = await waitFor('the notice', () => slack.responses().find((r) => r.user === 'U_ADMIN'));
    expect(notice.body).toMatchObject({ text: expect.stringMatching(/type \/migrate again/) });
    expect(slack.calls('views.open')).toEqual([
      expect.objectContaining({
        ok: false,
        error: 'expired_trigger_id',
        args: expect.objectContaining({ trigger_id: command.triggerId }),
      }),
    ]);
    expect(slack.views()).toEqual([]);
  });
});
