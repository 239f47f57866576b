import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppsRegistry } from '../config/apps-registry.js';
import type { Env, Role } from '../config/env.js';
import { describeRedisTarget, keyPrefixFor, parseRedisTarget } from '../config/redis-target.js';
import { PRODUCTION_TIMINGS } from '../config/timings.js';
import {
  createFailFastConnection,
  createWorkerConnection,
  duplicateWithCommandTimeout,
  type RedisConnection,
  waitReady,
} from '../coordination/redis-connections.js';
import type { AdminCheck } from '../migration/ports.js';
import { createNylasClientFactory, type HttpSettings } from '../nylas/client-factory.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { createMetricsServer } from '../observability/metrics-server.js';
import { bothHooks, observeNylasHttp } from '../observability/observers.js';
import {
  createApprovalExpiryQueue,
  DEFAULT_APPROVAL_WINDOW_MS,
  scheduleApprovalExpiry,
} from '../queue/approval-expiry-queue.js';
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
import { countOwedReports, createReportQueue, enqueueReupload } from '../queue/report-queue.js';
import { logDropped } from '../shared/best-effort.js';
import type { Logger } from '../shared/logger.js';
import { type AdminVerifier, createAdminVerifier } from '../slack/admin-verifier.js';
import { createApprovalExpiryWorker } from '../slack/approval/expiry-worker.js';
import type { ApprovalGate } from '../slack/approval/gate.js';
import { audit } from '../slack/audit.js';
import { type RunningBot, startBot } from '../slack/bot.js';
import { createChannelReach } from '../slack/channel-reach.js';
import { createSlackClients } from '../slack/clients.js';
import { createHomeRefresher, type HomeRefresher } from '../slack/home/home-refresher.js';
import { listen } from '../slack/http-server.js';
import { createPermalinks } from '../slack/permalinks.js';
import { createReportFallback } from '../slack/report-fallback.js';
import { createResponsePoster } from '../slack/response-url.js';
import { createSlackPacing, type SlackPacing } from '../slack/slack-pacing.js';
import { createThreadNotifier } from '../slack/thread-notifier.js';
import { checkUsergroupAtStart } from '../slack/usergroup-errors.js';
import { learnWorkspace, type Workspace } from '../slack/workspace.js';
import { createApprovalRecords } from '../store/approval-records.js';
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
  /** How long a migration waits for a second admin (default 24 h); tests use a short one. */
  approvalWindowMs?: number;
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
  const permalinks = createPermalinks(clients.fast, logger);
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
      const expiryRedis = duplicateWithCommandTimeout(connection, 10_000);
      expiryRedis.on('error', (error) => logger.warn('redis connection error (approval expiry)', { error }));
      closers.push(() => expiryRedis.quit());
      const expiry = createApprovalExpiryWorker({
        connection,
        redis: expiryRedis,
        prefix,
        records: createMigrationRecords(expiryRedis, prefix, migrationJobKeyPrefix(prefix)),
        registry,
        client: clients.thread,
        logger,
        onStateChange: (migrationId) => home?.changed(migrationId),
      });
      closers.push(() => expiry.close());
      await expiry.ready();
      if (role === 'worker') closers.push(observeWorkerOnly(metrics, worker, connection, prefix));
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
      const approvalQueue = createApprovalExpiryQueue(connection, prefix);
      closers.push(() => approvalQueue.close());
      const approval: ApprovalGate = {
        environments: env.approvalEnvironments,
        windowMs: options.approvalWindowMs ?? DEFAULT_APPROVAL_WINDOW_MS,
        records: createApprovalRecords(connection, prefix),
        scheduleExpiry: (id, delayMs) => scheduleApprovalExpiry(approvalQueue, id, delayMs),
      };
      closers.push(() => queue.close());
      const botHome = startHome(connection);
      metrics.observe({
        migrationStates: () => records.statusCounts(),
        reportsOwed: () => countOwedReports(reportQueue),
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
          reach: createChannelReach(clients.fast),
          permalinks,
          respond: createResponsePoster({ slackApiUrl: env.slackApiUrl, logger }),
          reports: { reupload: (id, by) => enqueueReupload(reportQueue, id, by) },
          approval,
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

/**
 * A worker-only process's scrape: the records and the reports queue are the worker's own; only the
 * migration queue needs a handle of its own (BullMQ's Worker cannot count jobs). With the bot in the
 * same process, the bot's handles serve instead.
 */
function observeWorkerOnly(
  metrics: Metrics,
  worker: MigrationWorker,
  connection: RedisConnection,
  prefix: string,
): () => Promise<void> {
  const queue = createMigrationQueue(connection, prefix);
  metrics.observe({
    migrationStates: () => worker.records.statusCounts(),
    reportsOwed: () => countOwedReports(worker.reports.queue),
    queueJobs: () => queue.getJobCounts(...QUEUE_STATES),
  });
  return () => queue.close();
}
