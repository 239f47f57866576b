import { afterEach, describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../src/shared/logger.js';
import { LOCAL_APPS, type LocalStack, startLocalStack } from '../../testkit/local-stack.js';
import {
  appHomeOpenedEvent,
  commandFields,
  eventCallbackPayload,
  formValues,
  homeButtonClickPayload,
  viewSubmissionPayload,
} from '../../testkit/slack-sim/driver.js';
import { viewText } from '../../testkit/slack-sim/index.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { TEST_HTTP, TEST_SETTINGS, TEST_WORKER } from '../helpers/worker-harness.js';

const APP_TOKEN = 'xapp-1-home-socket-e2e';

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the App Home over Socket Mode', () => {
  it('acks the events_api envelope, publishes the Home for an admin and an explanation for a member, and refreshes it when a run lands', async () => {
    const logLines: Array<Record<string, unknown>> = [];
    const prefix = uniquePrefix('e2e-home-socket');
    stack = await startLocalStack({
      accounts: 20,
      nylas: { migrationRateLimit: 100 },
      slack: { appToken: APP_TOKEN, homePublishSpacingMs: 500 },
      env: { SLACK_APP_TOKEN: APP_TOKEN },
      redisUrl: REDIS_URL,
      prefix,
      logger: createJsonLogger({}, (line) => logLines.push(JSON.parse(line) as Record<string, unknown>)),
      http: TEST_HTTP,
      home: { publishWindowMs: 1_000 },
      worker: {
        ...TEST_WORKER,
        httpTimeoutMs: TEST_HTTP.timeoutMs,
        ratePerSecond: 90,
        reportRetryMs: 200,
        settings: { ...TEST_SETTINGS },
      },
    });
    const { slack, services } = stack;
    expect(services.bot?.mode).toBe('socket');
    await slack.waitForSocketConnection(5_000);

    // An events_api envelope is acked in time with nothing in it (Slack takes no answer to an event).
    const opened = await slack.sendEvent(eventCallbackPayload({ event: appHomeOpenedEvent('U_ADMIN') }));
    expect(opened.ack.envelope_id).toBe(opened.envelopeId);
    expect(opened.ack.payload ?? {}).toEqual({});
    const empty = await waitFor('the admin Home', () => slack.homeView('U_ADMIN'));
    expect(viewText(empty)).toContain('No migrations yet');

    await slack.sendEvent(eventCallbackPayload({ event: appHomeOpenedEvent('U_GUEST') }));
    const guest = await waitFor('the guest Home', () => slack.homeView('U_GUEST'));
    expect(viewText(guest)).toContain('verified workspace admins only');

    // A run over the socket (command, form, confirm): the Home refreshes by itself to its end.
    const triggerId = slack.issueTriggerId();
    await slack.sendSlashCommand(commandFields({ userId: 'U_ADMIN', triggerId }));
    const form = await waitFor('views.open', () => slack.views().find((event) => event.kind === 'open'));
    const submitted = await slack.sendInteractive(
      viewSubmissionPayload({
        userId: 'U_ADMIN',
        view: {
          id: form.viewId,
          callback_id: String(form.view.callback_id),
          private_metadata: String(form.view.private_metadata ?? ''),
        },
        values: formValues({
          v2AppId: LOCAL_APPS.v2.clientId,
          v3AppId: LOCAL_APPS.v3.applicationId,
          title: 'Over the socket',
        }),
      }),
    );
    const confirmView = (submitted.ack.payload as { view?: Record<string, unknown> }).view;
    if (!confirmView) throw new Error(`no confirm view: ${JSON.stringify(submitted.ack)}`);
    await slack.sendInteractive(
      viewSubmissionPayload({
        userId: 'U_ADMIN',
        view: {
          callback_id: String(confirmView.callback_id),
          private_metadata: String(confirmView.private_metadata ?? ''),
        },
        values: {},
      }),
    );
    const finished = await waitFor('the Home to show the finished run', () => {
      const text = viewText(slack.homeView('U_ADMIN'));
      return text.includes(':white_check_mark: completed') ? text : undefined;
    });
    expect(finished).toContain('*Over the socket*');
    // The guest was not refreshed with run data.
    expect(viewText(slack.homeView('U_GUEST'))).not.toContain('Over the socket');

    const guestClick = await slack.sendInteractive(
      homeButtonClickPayload({
        userId: 'U_GUEST',
        view: guest,
        actionId: 'migrate_home_report',
        value: 'mig_nothere000000000000000',
      }),
    );
    expect(guestClick.ack.envelope_id).toBe(guestClick.envelopeId);
    await waitFor('the refusal on the guest Home', () =>
      viewText(slack.homeView('U_GUEST')).includes('Only verified admins can re-upload reports')
        ? true
        : undefined,
    );
    expect(slack.calls('views.publish').every((call) => call.ok)).toBe(true);
  });
});
