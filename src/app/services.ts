import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { AppsRegistry } from '../config/apps-registry.js';
import type { Env, Role } from '../config/env.js';
import { PRODUCTION_TIMINGS } from '../config/timings.js';
import type { AdminCheck } from '../migration/run-deps.js';
import { createNylasClientFactory, type HttpSettings } from '../nylas/client-factory.js';
import {
  createMigrationQueue,
  type MigrationQueue,
  migrationJobKeyPrefix,
} from '../queue/migration-queue.js';
import {
  createMigrationWorker,
  type MigrationWorker,
  type MigrationWorkerOptions,
} from '../queue/migration-worker.js';
import { createMigrationProducer } from '../queue/producer.js';
import { createFailFastConnection, createWorkerConnection } from '../queue/redis-connections.js';
import type { Logger } from '../shared/logger.js';
import { type AdminVerifier, createAdminVerifier } from '../slack/admin-verifier.js';
import { audit } from '../slack/audit.js';
import { boltLogger } from '../slack/bolt-logger.js';
import { type RunningBot, startBot } from '../slack/bot.js';
import { createChannelReach } from '../slack/channel-reach.js';
import { createFastClient, createPatientClient } from '../slack/fast-client.js';
import { createPermalinks } from '../slack/permalinks.js';
import { createResponsePoster } from '../slack/response-url.js';
import { createThreadNotifier } from '../slack/thread-notifier.js';
import { checkUsergroupAtStart } from '../slack/usergroup-errors.js';
import { learnWorkspace, type Workspace } from '../slack/workspace.js';
import { createMigrationRecords } from '../store/migration-records.js';

/** The Redis key prefix of production (BullMQ queues and our records live under it). */
export const DEFAULT_PREFIX = 'migrate';

/** Nylas HTTP settings in production (the timeout is checked against the lease in config/timings.ts). */
export const PRODUCTION_HTTP: HttpSettings = {
  timeoutMs: PRODUCTION_TIMINGS.httpTimeoutMs,
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
};

export interface ServiceOptions {
  env: Env;
  registry: AppsRegistry;
  role: Role;
  logger: Logger;
  prefix?: string;
  /** Only for tests, the demo and benchmarks: faster timings. */
  http?: HttpSettings;
  worker?: Partial<
    Omit<MigrationWorkerOptions, 'redis' | 'registry' | 'nylas' | 'notifier' | 'verifyAdmin' | 'logger'>
  >;
  bot?: { host?: string; port?: number };
}

export interface RunningServices {
  bot?: RunningBot;
  worker?: MigrationWorker;
  close(): Promise<void>;
}

function slackClient(env: Env, logger: Logger): WebClient {
  return new WebClient(env.slackBotToken.reveal(), {
    slackApiUrl: env.slackApiUrl,
    logger: boltLogger(logger, LogLevel.ERROR),
    // Bounded: a Slack outage must not hold a migration (or an ack) for half an hour.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
  });
}

function policyOf(env: Env, workspace: Workspace) {
  return {
    teamId: workspace.teamId,
    enterpriseId: workspace.enterpriseId,
    allowedUsers: env.allowedUsers,
    allowedUsergroup: env.allowedUsergroup,
  };
}

/** The worker's last admin check, before any work: the requester may have lost the role since. */
function workerAdminCheck(verifier: AdminVerifier, logger: Logger): AdminCheck {
  return async (userId, teamId) => {
    const verdict = await verifier.verify(userId, teamId);
    // Slack not answering is not a "no": the job is retried later rather than the migration failed.
    if (!verdict.ok && verdict.code === 'lookup_failed')
      throw new Error(`admin check unavailable: ${verdict.reason}`);
    audit(logger, {
      who: userId,
      team: teamId,
      what: 'worker.start',
      outcome: verdict.ok ? 'allowed' : 'refused',
      ...(verdict.ok ? {} : { reason: verdict.code }),
    });
    return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason };
  };
}

/** Starts the bot, the worker, or both, wired to Redis, Slack and Nylas as the environment says. */
export async function startServices(options: ServiceOptions): Promise<RunningServices> {
  const { env, registry, role, logger } = options;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const client = slackClient(env, logger);
  // Before anything starts: which workspace is ours, and can the allowed user group be read at all?
  const workspace = await learnWorkspace(client, env.slackTeamId);
  const groupWarning = await checkUsergroupAtStart(client, env.allowedUsergroup);
  if (groupWarning) logger.warn(groupWarning);
  const verifier = createAdminVerifier({ client, policy: policyOf(env, workspace) });
  const closers: Array<() => Promise<unknown>> = [];
  const running: RunningServices = {
    async close() {
      for (const close of closers.reverse())
        await close().catch((error: unknown) => logger.warn('shutdown step failed', { error }));
    },
  };

  try {
    await checkRedis(env.redisUrl.reveal());
    if (role !== 'bot') {
      const connection: Redis = createWorkerConnection(env.redisUrl.reveal());
      connection.on('error', (error) => logger.warn('redis connection error (worker)', { error }));
      closers.push(() => connection.quit());
      const worker = createMigrationWorker({
        redis: connection,
        prefix,
        registry,
        nylas: createNylasClientFactory({ hosts: env.nylasHosts, http: options.http ?? PRODUCTION_HTTP }),
        notifier: createThreadNotifier({ client, registry, logger }),
        verifyAdmin: workerAdminCheck(verifier, logger),
        logger,
        httpTimeoutMs: (options.http ?? PRODUCTION_HTTP).timeoutMs ?? PRODUCTION_TIMINGS.httpTimeoutMs,
        settings: { reportDir: join(tmpdir(), 'migrate-bot-reports') },
        ...options.worker,
      });
      closers.push(() => worker.close());
      await worker.ready();
      running.worker = worker;
    }
    if (role !== 'worker') {
      const connection = createFailFastConnection(env.redisUrl.reveal());
      connection.on('error', (error) => logger.warn('redis connection error (bot)', { error }));
      closers.push(() => connection.quit());
      await waitReady(connection);
      const records = createMigrationRecords(connection, prefix, migrationJobKeyPrefix(prefix));
      const queue: MigrationQueue = createMigrationQueue(connection, prefix);
      const fastClient = createFastClient(env.slackBotToken.reveal(), env.slackApiUrl);
      closers.push(() => queue.close());
      const bot = await startBot({
        deps: {
          registry,
          records,
          producer: createMigrationProducer({ records, queue }),
          verifier,
          logger,
          migrateChannel: env.migrateChannel,
          threadClient: createPatientClient(env.slackBotToken.reveal(), env.slackApiUrl),
          reach: createChannelReach(fastClient),
          permalinks: createPermalinks(fastClient),
          respond: createResponsePoster({ slackApiUrl: env.slackApiUrl, logger }),
        },
        botToken: env.slackBotToken,
        signingSecret: env.slackSigningSecret,
        appToken: env.slackAppToken,
        slackApiUrl: env.slackApiUrl,
        port: options.bot?.port ?? env.port,
        ...(options.bot?.host ? { host: options.bot.host } : {}),
        health: async () => (await connection.ping().catch(() => 'down')) === 'PONG',
      });
      closers.push(() => bot.close());
      running.bot = bot;
    }
  } catch (error) {
    await running.close();
    throw error;
  }
  return running;
}

/** Fails start-up with a clear line when Redis does not answer, instead of waiting for it for ever. */
async function checkRedis(url: string): Promise<void> {
  const probe = createFailFastConnection(url);
  probe.on('error', () => {}); // the outcome is the line thrown below, not ioredis's own console noise
  try {
    await waitReady(probe);
    await probe.ping();
  } catch {
    const { hostname, port } = new URL(url);
    throw new Error(`Redis does not answer at ${hostname}:${port || 6379} (REDIS_URL)`);
  } finally {
    probe.disconnect();
  }
}

async function waitReady(connection: Redis): Promise<void> {
  if (connection.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Redis did not answer within 5 s')), 5_000);
    connection.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
