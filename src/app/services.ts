import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppsRegistry } from '../config/apps-registry.js';
import type { Env, Role } from '../config/env.js';
import { describeRedisTarget, keyPrefixFor, parseRedisTarget } from '../config/redis-target.js';
import { PRODUCTION_TIMINGS } from '../config/timings.js';
import {
  createFailFastConnection,
  createWorkerConnection,
  type RedisConnection,
  waitReady,
} from '../coordination/redis-connections.js';
import type { AdminCheck } from '../migration/ports.js';
import { createNylasClientFactory, type HttpSettings } from '../nylas/client-factory.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { createMetricsServer } from '../observability/metrics-server.js';
import { bothHooks, observeNylasHttp } from '../observability/observers.js';
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
import { createReportQueue, enqueueReupload } from '../queue/report-queue.js';
import { logDropped } from '../shared/best-effort.js';
import type { Logger } from '../shared/logger.js';
import { type AdminVerifier, createAdminVerifier } from '../slack/admin-verifier.js';
import { audit } from '../slack/audit.js';
import { type RunningBot, startBot } from '../slack/bot.js';
import { createChannelReach } from '../slack/channel-reach.js';
import { createSlackClients } from '../slack/clients.js';
import { createFastClient } from '../slack/fast-client.js';
import { createHomeRefresher, type HomeRefresher } from '../slack/home/home-refresher.js';
import { listen } from '../slack/http-server.js';
import { createPermalinks } from '../slack/permalinks.js';
import { createReportFallback } from '../slack/report-fallback.js';
import { createResponsePoster } from '../slack/response-url.js';
import { createSlackPacing, type SlackPacing } from '../slack/slack-pacing.js';
import { createThreadNotifier } from '../slack/thread-notifier.js';
import { checkUsergroupAtStart } from '../slack/usergroup-errors.js';
import { learnWorkspace, type Workspace } from '../slack/workspace.js';
import { createMigrationRecords } from '../store/migration-records.js';

/** The Redis key prefix of production (BullMQ queues and our records live under it; `{migrate}` on a cluster). */
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
  /** Only for tests and the demo against a Slack stand-in without its per-channel limit. */
  slackPostSpacingMs?: number;
  /** The process's metrics (main.ts adds process figures); a fresh registry when unset. */
  metrics?: Metrics;
  /** The App Home's publish throttle per admin and how long an opener is refreshed (tests: shorter). */
  home?: { publishWindowMs?: number; viewerTtlMs?: number };
}

export interface RunningServices {
  bot?: RunningBot;
  worker?: MigrationWorker;
  metrics: Metrics;
  /** Where `GET /metrics` is served apart from the bot (METRICS_PORT), when it is. */
  metricsPort?: number;
  close(): Promise<void>;
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
  const target = parseRedisTarget(env.redisUrl.reveal());
  if ('error' in target) throw new Error(`REDIS_URL ${target.error}`);
  const prefix = options.prefix ?? keyPrefixFor(target, DEFAULT_PREFIX);
  const metrics = options.metrics ?? createMetrics({ logger });
  // The budgets need the workspace, which the first calls learn; until then nothing is posted.
  let pacing: SlackPacing | undefined;
  const clients = createSlackClients({
    token: env.slackBotToken.reveal(),
    slackApiUrl: env.slackApiUrl,
    logger,
    metrics,
    pacing: () => pacing,
  });
  const http: HttpSettings = {
    ...(options.http ?? PRODUCTION_HTTP),
    onEvent: bothHooks(options.http?.onEvent, observeNylasHttp(metrics)),
  };
  // Before anything starts: which workspace is ours, and can the allowed user group be read at all?
  // Start-up may wait out a 429 (the thread client does); nobody is waiting on an ack yet.
  const workspace = await learnWorkspace(clients.thread, env.slackTeamId);
  const groupWarning = await checkUsergroupAtStart(clients.thread, env.allowedUsergroup);
  if (groupWarning) logger.warn(groupWarning);
  const verifier = createAdminVerifier({
    client: clients.interactive,
    policy: policyOf(env, workspace),
    logger,
  });
  const slackPacing = (redis: RedisConnection) =>
    createSlackPacing(redis, {
      keyPrefix: prefix,
      teamId: workspace.teamId,
      ...(options.slackPostSpacingMs ? { postSpacingMs: options.slackPostSpacingMs } : {}),
    });
  const closers: Array<() => Promise<unknown>> = [];
  // One per process, over the bot's connection when there is a bot (fail-fast), else the worker's.
  const fastClient = createFastClient(env.slackBotToken.reveal(), env.slackApiUrl);
  const permalinks = createPermalinks(fastClient, logger);
  let home: HomeRefresher | undefined;
  const startHome = (connection: RedisConnection): HomeRefresher => {
    const refresher = createHomeRefresher({
      redis: connection,
      prefix,
      client: clients.progress,
      records: createMigrationRecords(connection, prefix, migrationJobKeyPrefix(prefix)),
      registry,
      permalinks,
      verifier,
      logger,
      ...options.home,
    });
    closers.push(async () => refresher.close());
    home = refresher;
    return refresher;
  };
  const running: RunningServices = {
    metrics,
    async close() {
      for (const close of closers.reverse())
        await close().catch((error: unknown) => logger.warn('shutdown step failed', { error }));
    },
  };

  try {
    await checkRedis(env.redisUrl.reveal());
    if (role !== 'bot') {
      const connection: RedisConnection = createWorkerConnection(env.redisUrl.reveal());
      connection.on('error', (error) => logger.warn('redis connection error (worker)', { error }));
      closers.push(() => connection.quit());
      pacing = slackPacing(connection);
      const worker = createMigrationWorker({
        redis: connection,
        prefix,
        registry,
        nylas: createNylasClientFactory({ hosts: env.nylasHosts, http }),
        notifier: createThreadNotifier({
          client: clients.thread,
          progressClient: clients.progress,
          pacing,
          registry,
          logger,
        }),
        reportFallback: createReportFallback({ client: clients.thread, logger }),
        verifyAdmin: workerAdminCheck(verifier, logger),
        logger,
        httpTimeoutMs: http.timeoutMs ?? PRODUCTION_TIMINGS.httpTimeoutMs,
        settings: { reportDir: join(tmpdir(), 'migrate-bot-reports') },
        metrics,
        onStateChange: (migrationId) => home?.changed(migrationId),
        ...options.worker,
      });
      closers.push(() => worker.close());
      if (role === 'worker') startHome(connection);
      await worker.ready();
      running.worker = worker;
      observeRecords(metrics, connection, prefix);
      closers.push(await observeQueue(metrics, connection, prefix));
      if (env.metricsPort !== undefined) {
        const server = createMetricsServer(metrics);
        running.metricsPort = await listen(server, env.metricsPort, options.bot?.host);
        closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      }
    }
    if (role !== 'worker') {
      const connection = createFailFastConnection(env.redisUrl.reveal());
      connection.on('error', (error) => logger.warn('redis connection error (bot)', { error }));
      closers.push(() => connection.quit());
      await waitReady(connection);
      // The parent post is paced with the worker's posts; in a bot-only process over the bot's connection.
      pacing ??= slackPacing(connection);
      const records = createMigrationRecords(connection, prefix, migrationJobKeyPrefix(prefix));
      const queue: MigrationQueue = createMigrationQueue(connection, prefix);
      const reportQueue = createReportQueue(connection, prefix);
      closers.push(() => reportQueue.close());
      closers.push(() => queue.close());
      const botHome = startHome(connection);
      metrics.observe({
        migrationStates: () => records.statusCounts(),
        reportsOwed: () => records.owedReportCount(),
        queueJobs: () => queue.getJobCounts(...QUEUE_STATES),
      });
      const bot = await startBot({
        deps: {
          registry,
          records,
          producer: createMigrationProducer({
            records,
            queue,
            logger,
            onStateChange: (migrationId) => botHome.changed(migrationId),
          }),
          verifier,
          logger,
          migrateChannel: env.migrateChannel,
          threadClient: clients.thread,
          reach: createChannelReach(fastClient),
          permalinks,
          respond: createResponsePoster({ slackApiUrl: env.slackApiUrl, logger }),
          reports: { reupload: (id, by) => enqueueReupload(reportQueue, id, by) },
          home: botHome,
        },
        botToken: env.slackBotToken,
        signingSecret: env.slackSigningSecret,
        appToken: env.slackAppToken,
        slackApiUrl: env.slackApiUrl,
        port: options.bot?.port ?? env.port,
        ...(options.bot?.host ? { host: options.bot.host } : {}),
        health: async () =>
          (await connection
            .ping()
            .catch(logDropped(logger, 'warn', '/healthz: Redis did not answer PING'))) === 'PONG',
        metrics,
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
    const target = parseRedisTarget(url);
    const where = 'error' in target ? 'REDIS_URL' : describeRedisTarget(target);
    throw new Error(`Redis does not answer at ${where} (REDIS_URL)`);
  } finally {
    probe.disconnect();
  }
}

/** BullMQ states shown by `migrate_queue_jobs`. */
const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
  'completed',
] as const;

/** A worker-only process reads the records for its own scrape (the bot does the same on its side). */
function observeRecords(metrics: Metrics, connection: RedisConnection, prefix: string): void {
  const records = createMigrationRecords(connection, prefix, migrationJobKeyPrefix(prefix));
  metrics.observe({
    migrationStates: () => records.statusCounts(),
    reportsOwed: () => records.owedReportCount(),
  });
}

async function observeQueue(metrics: Metrics, connection: RedisConnection, prefix: string) {
  const queue = createMigrationQueue(connection, prefix);
  metrics.observe({ queueJobs: () => queue.getJobCounts(...QUEUE_STATES) });
  return () => queue.close();
}
