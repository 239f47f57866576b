import { createMigrationQueue } from '../../src/queue/migration-queue.js';
import { createJsonLogger } from '../../src/shared/logger.js';
import { FINISHED_STATUSES, type MigrationRecord } from '../../src/store/migration-records.js';
import { startLocalStack } from '../../testkit/local-stack.js';
import type { NylasSimOptions } from '../../testkit/nylas-sim/index.js';
import {
  appHomeOpenedEvent,
  buttonClick,
  commandBody,
  eventCallbackPayload,
  formValues,
  homeButtonClickPayload,
  optionsLoad,
  payloadBody,
  postEventToBot,
  postToBot,
  type SlackPost,
  viewSubmission,
} from '../../testkit/slack-sim/driver.js';
import {
  type LengthUnit,
  type SlackSimOptions,
  validateOptionsResponse,
  viewSubmissionAckProblems,
} from '../../testkit/slack-sim/index.js';
import { waitForJobSettled } from './job-settled.js';
import { REDIS_URL, uniquePrefix } from './redis.js';
import { TEST_HTTP, TEST_SETTINGS, TEST_WORKER, V2_APP, V3_APP } from './worker-harness.js';

/** An answer after Slack's 3 s is a failure as on Slack: the test fails instead of using it. */
async function inTime(post: Promise<SlackPost>): Promise<SlackPost> {
  const answer = await post;
  if (answer.late)
    throw new Error(`the bot answered after ${Math.round(answer.ms)} ms; Slack gives up at 3 s`);
  return answer;
}

/**
 * A view submission's ack as Slack checks it (the stand-in's own check, as in Socket Mode): a pushed
 * or updated view must be valid Block Kit, and `errors` text per block. Slack would show the user an
 * error instead, so tests fail here.
 */
async function checkedAck(post: Promise<SlackPost>, lengthUnit: LengthUnit | undefined): Promise<SlackPost> {
  const answer = await inTime(post);
  const body = answer.json;
  const problems =
    typeof body === 'object' && body !== null
      ? viewSubmissionAckProblems(body as Record<string, unknown>, lengthUnit)
      : [];
  if (problems.length > 0) throw new Error(`Slack would refuse this ack: ${problems.join('; ')}`);
  return answer;
}

export interface StackOptions {
  accounts?: number;
  nylas?: Partial<NylasSimOptions>;
  slack?: SlackSimOptions;
  env?: Record<string, string>;
  ratePerSecond?: number;
  extraApps?: { v2?: string[]; v3?: string[] };
  /** How long a migration waits for a second admin (approval is off unless `env` sets MIGRATE_APPROVAL_ENVIRONMENTS). */
  approvalWindowMs?: number;
  /** The App Home's throttle (default here: 1 s, short for tests). */
  home?: { publishWindowMs?: number; viewerTtlMs?: number };
}

/**
 * The whole product on this machine: the Nylas simulator, the Slack stand-in, the real bot (Bolt's
 * HTTP receiver on a random port) and a real worker, on real Redis under a unique prefix.
 */
export async function startStack(options: StackOptions = {}) {
  const logLines: Array<Record<string, unknown>> = [];
  const logger = createJsonLogger({}, (line) => logLines.push(JSON.parse(line) as Record<string, unknown>));
  const prefix = uniquePrefix('e2e');
  const local = await startLocalStack({
    accounts: options.accounts ?? 120,
    nylas: { migrationRateLimit: 100, ...options.nylas },
    // Trigger ids as on Slack: issued per interaction, once, for 3 s.
    slack: { strictTriggers: true, ...options.slack },
    ...(options.env ? { env: options.env } : {}),
    ...(options.extraApps ? { extraApps: options.extraApps } : {}),
    ...(options.approvalWindowMs ? { approvalWindowMs: options.approvalWindowMs } : {}),
    home: { publishWindowMs: 1_000, ...options.home },
    redisUrl: REDIS_URL,
    prefix,
    logger,
    http: TEST_HTTP,
    worker: {
      ...TEST_WORKER,
      httpTimeoutMs: TEST_HTTP.timeoutMs,
      ratePerSecond: options.ratePerSecond ?? 90,
      reportRetryMs: 200,
      settings: { ...TEST_SETTINGS },
    },
  });
  const { nylas, slack, registry, botUrl, redis, records } = local;
  // A read-only handle on the bot's queue, to see when BullMQ has finished a job.
  const queue = createMigrationQueue(redis, prefix);
  // The stand-in's reading of "characters", for the checks Slack makes on acks.
  const lengthUnit = options.slack?.lengthUnit;

  const stack = {
    nylas,
    slack,
    registry,
    botUrl,
    prefix,
    redis,
    records,
    logLines,
    audits: () => logLines.filter((line) => line.audit === true),

    /** `/migrate` as Slack sends it: a fresh trigger id and a response_url tied to where it was typed. */
    command: (
      userId: string,
      text = '',
      channelId = 'C_GENERAL',
      extra: Partial<Parameters<typeof commandBody>[0]> = {},
    ) =>
      inTime(
        postToBot(
          botUrl,
          commandBody({
            userId,
            text,
            channelId,
            triggerId: slack.issueTriggerId(),
            responseUrl: slack.issueResponseUrl({ channel: channelId, user: userId }),
            ...extra,
          }),
        ),
      ),

    /** What the user saw through response URLs (ephemeral notices), in order. */
    responsesTo: (userId: string) => slack.responses().filter((r) => r.user === userId),

    opensSoFar: () => slack.views().filter((v) => v.kind === 'open').length,

    /** Waits for the modal that views.open showed after `opensBefore` others (the bot opens it after its ack). */
    async openedView(opensBefore: number): Promise<{ id: string; view: Record<string, unknown> }> {
      const opened = await stack.waitFor(
        'views.open',
        () => slack.views().filter((v) => v.kind === 'open')[opensBefore],
      );
      return { id: opened.viewId, view: opened.view as Record<string, unknown> };
    },

    submitForm: (
      userId: string,
      values: Parameters<typeof formValues>[0],
      view: { id: string; view: Record<string, unknown> },
    ) => {
      const target = view;
      return checkedAck(
        postToBot(
          botUrl,
          viewSubmission({
            userId,
            view: {
              id: target.id,
              callback_id: String(target.view.callback_id),
              private_metadata: String(target.view.private_metadata ?? ''),
            },
            values: formValues(values),
          }),
        ),
        lengthUnit,
      );
    },

    /**
     * What an external select shows after the admin typed `query`. The answer is checked as Slack
     * checks it (≤ 100 options, labels ≤ 75 characters): a bad one throws, as Slack would show nothing.
     */
    async loadOptions(
      userId: string,
      select: 'v2' | 'v3',
      query: string,
      view: { id: string; view: Record<string, unknown> },
    ): Promise<Array<{ text: { text: string }; value: string }>> {
      const answer = await inTime(
        postToBot(
          botUrl,
          optionsLoad({
            userId,
            actionId: `${select}_app_select`,
            blockId: `${select}_app`,
            value: query,
            view: { id: view.id, callback_id: String(view.view.callback_id) },
          }),
        ),
      );
      const problems = validateOptionsResponse(answer.json, { lengthUnit });
      if (answer.status !== 200 || problems.length > 0)
        throw new Error(`Slack would refuse this options answer (${answer.status}): ${problems.join('; ')}`);
      return (answer.json as { options: Array<{ text: { text: string }; value: string }> }).options;
    },

    submitView: (userId: string, view: Record<string, unknown>) =>
      checkedAck(
        postToBot(
          botUrl,
          viewSubmission({
            userId,
            view: {
              callback_id: String(view.callback_id),
              private_metadata: String(view.private_metadata ?? ''),
            },
            values: {},
          }),
        ),
        lengthUnit,
      ),

    click: (
      userId: string,
      input: {
        channelId: string;
        messageTs: string;
        actionId: string;
        value: string;
        threadTs?: string;
        teamId?: string;
      },
    ) =>
      inTime(
        postToBot(
          botUrl,
          buttonClick({
            userId,
            ...input,
            responseUrl: slack.issueResponseUrl({
              channel: input.channelId,
              user: userId,
              messageTs: input.messageTs,
              ...(input.threadTs ? { threadTs: input.threadTs } : {}),
            }),
          }),
        ),
      ),

    /** The user opens the app's Home tab: Slack posts `app_home_opened` to the bot (signed, JSON). */
    openHome: (userId: string) =>
      inTime(postEventToBot(botUrl, eventCallbackPayload({ event: appHomeOpenedEvent(userId) }))),

    /** The user clicks a button on their Home tab (as published now); Home clicks carry no response_url. */
    clickHome: (userId: string, input: { actionId: string; value: string }) => {
      const view = slack.homeView(userId);
      if (!view) throw new Error(`${userId} has no Home tab to click in`);
      return inTime(postToBot(botUrl, payloadBody(homeButtonClickPayload({ userId, view, ...input }))));
    },

    /** Runs /migrate → form → confirm as an admin; returns the confirm view and the answers. */
    async startMigration(
      userId = 'U_ADMIN',
      values: Parameters<typeof formValues>[0] = {},
      channelId = 'C_GENERAL',
    ) {
      const opensBefore = stack.opensSoFar();
      const command = await stack.command(userId, '', channelId);
      const view = await stack.openedView(opensBefore);
      const form = await stack.submitForm(
        userId,
        { v2AppId: V2_APP.clientId, v3AppId: V3_APP.applicationId, title: 'Acme on v3', ...values },
        view,
      );
      const push = form.json as { response_action?: string; view?: Record<string, unknown> };
      if (push.response_action !== 'push' || !push.view) throw new Error(`form not accepted: ${form.text}`);
      const confirm = await stack.submitView(userId, push.view);
      return { command, form, confirmView: push.view, confirm };
    },

    async waitFor<T>(
      what: string,
      probe: () => Promise<T | undefined> | T | undefined,
      timeoutMs = 45_000,
    ): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },

    async waitForRecord(
      statuses: string[] = ['completed', 'cancelled', 'failed'],
      index = -1,
    ): Promise<MigrationRecord> {
      const record = await stack.waitFor(`a migration ${statuses.join('/')}`, async () => {
        const latest = (await records.recent(20)).at(index === -1 ? 0 : index);
        return latest && statuses.includes(latest.status) ? latest : undefined;
      });
      // The record turns final inside the job; the apps are released after it. Wait for BullMQ.
      if (FINISHED_STATUSES.includes(record.status))
        await waitForJobSettled(queue, record.request.migrationId);
      return record;
    },

    async close() {
      await queue.close();
      await local.close();
    },
  };
  return stack;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
