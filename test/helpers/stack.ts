import { Redis } from 'ioredis';
import { startServices } from '../../src/app/services.js';
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import { loadEnv } from '../../src/config/env.js';
import { createJsonLogger } from '../../src/shared/logger.js';
import { type NylasSim, type NylasSimOptions, startNylasSim } from '../../src/sim/nylas/index.js';
import { type SlackSim, type SlackSimOptions, startSlackSim } from '../../src/sim/slack/index.js';
import { createMigrationRecords, type MigrationRecord } from '../../src/store/migration-records.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './redis.js';
import {
  buttonClick,
  commandBody,
  formValues,
  postToBot,
  SIGNING_SECRET,
  viewSubmission,
} from './slack-requests.js';
import {
  TEST_HTTP,
  TEST_SETTINGS,
  TEST_WORKER,
  V2_APP,
  V2_OTHER,
  V3_APP,
  V3_OTHER,
} from './worker-harness.js';

export interface StackOptions {
  accounts?: number;
  nylas?: Partial<NylasSimOptions>;
  slack?: SlackSimOptions;
  env?: Record<string, string>;
  ratePerSecond?: number;
}

/**
 * The whole product on this machine: the Nylas simulator, the Slack stand-in, the real bot (Bolt's
 * HTTP receiver on a random port) and a real worker, on real Redis under a unique prefix.
 */
export async function startStack(options: StackOptions = {}) {
  const nylas: NylasSim = await startNylasSim({
    v2Apps: [
      { ...V2_APP, accounts: options.accounts ?? 120, seed: 21, region: 'us' },
      { ...V2_OTHER, accounts: 30, seed: 22, region: 'us' },
    ],
    v3Apps: [
      { ...V3_APP, region: 'us' },
      { ...V3_OTHER, region: 'us' },
      { applicationId: 'v3-eu', apiKey: 'nyk_v0_eu', region: 'eu' },
    ],
    migrationRateLimit: 100,
    ...options.nylas,
  });
  const slack: SlackSim = await startSlackSim(options.slack);
  const registry = parseAppsRegistry(
    `
v2_apps:
  - {id: ${V2_APP.clientId}, name: Acme v2, region: us, client_secret: ${V2_APP.clientSecret}}
  - {id: ${V2_OTHER.clientId}, name: Other v2, region: us, client_secret: ${V2_OTHER.clientSecret}}
v3_apps:
  - {id: ${V3_APP.applicationId}, name: Acme v3, region: us, api_key: ${V3_APP.apiKey}}
  - {id: ${V3_OTHER.applicationId}, name: Other v3, region: us, api_key: ${V3_OTHER.apiKey}}
  - {id: v3-eu, name: Acme EU, region: eu, api_key: nyk_v0_eu}
`,
    'stack-registry',
    {},
  );
  const env = loadEnv(
    {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL,
      NYLAS_V2_API_URL_US: nylas.url,
      NYLAS_V3_API_URL_US: nylas.url,
      NYLAS_V2_API_URL_EU: nylas.url,
      NYLAS_V3_API_URL_EU: nylas.url,
      ...options.env,
    },
    'all',
  );
  const logLines: Array<Record<string, unknown>> = [];
  const logger = createJsonLogger({}, (line) => logLines.push(JSON.parse(line) as Record<string, unknown>));
  const prefix = uniquePrefix('e2e');
  const services = await startServices({
    env,
    registry,
    role: 'all',
    logger,
    prefix,
    http: TEST_HTTP,
    worker: {
      ...TEST_WORKER,
      httpTimeoutMs: TEST_HTTP.timeoutMs,
      ratePerSecond: options.ratePerSecond ?? 90,
      reportRetryMs: 200,
      settings: { ...TEST_SETTINGS },
    },
    bot: { host: '127.0.0.1', port: 0 },
  });
  const botUrl = `http://127.0.0.1:${services.bot?.port}`;
  const redis = new Redis(REDIS_URL);
  const records = createMigrationRecords(redis, prefix);

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

    command: (userId: string, text = '', channelId = 'C_GENERAL') =>
      postToBot(botUrl, commandBody({ userId, text, channelId })),

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
      return postToBot(
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
      );
    },

    submitView: (userId: string, view: Record<string, unknown>) =>
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

    click: (
      userId: string,
      input: { channelId: string; messageTs: string; actionId: string; value: string },
    ) => postToBot(botUrl, buttonClick({ userId, ...input })),

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
      return stack.waitFor(`a migration ${statuses.join('/')}`, async () => {
        const record = (await records.recent(20)).at(index === -1 ? 0 : index);
        return record && statuses.includes(record.status) ? record : undefined;
      });
    },

    async close() {
      await services.close();
      await deletePrefix(redis, prefix);
      await redis.quit();
      await slack.close();
      await nylas.close();
    },
  };
  return stack;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
