/**
 * `npm run demo [-- --accounts N] [--out DIR]`: the whole flow on this machine. Finds (or starts)
 * Redis, starts the Nylas simulator and the Slack stand-in, runs the real bot and worker, plays
 * Slack's part (/migrate → form → "Create app"), prints the thread as it unfolds, then saves the CSV
 * report and the thread, and stops everything it started.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { prettyFactory } from 'pino-pretty';
import { ConfigError } from '../../src/config/config-error.js';
import { migrationJobKeyPrefix } from '../../src/queue/migration-queue.js';
import { createJsonLogger, type Logger } from '../../src/shared/logger.js';
import { countsLine } from '../../src/slack/views/parent-message.js';
import { createMigrationRecords } from '../../src/store/migration-records.js';
import { defaultSimUsers } from '../../testkit/slack-sim/index.js';
import { approveAsSecondAdmin } from './approval-step.js';
import { type DemoOptions, parseDemoArgs, USAGE } from './args.js';
import { playSlack } from './drive.js';
import { showHomeTab } from './home-step.js';
import { formatSeconds, messageSource, plainStyle, renderMrkdwn, Terminal } from './print.js';
import { findOrStartRedis, NoRedisError, redisLabel } from './redis.js';
import {
  DEMO_APPS,
  LATENCY_MS,
  MIGRATED,
  NYLAS_MIGRATION_LIMIT,
  startWorld,
  TRANSIENT_5XX_RATE,
} from './setup.js';
import { DemoFailure, Interrupted } from './wait.js';
import { type WatchResult, watchThread } from './watch.js';

const GIVE_UP_AFTER_MS = 5 * 60_000;
const CLEANUP_LIMIT_MS = 30_000;
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

type Closer = () => Promise<unknown>;

/** Slack ids → the names the Slack client shows. */
const NAMES: Record<string, string> = {
  ...Object.fromEntries(defaultSimUsers.map((user) => [user.id, user.realName ?? user.id])),
  C_GENERAL: 'general',
};

const shortPath = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

/**
 * Service logs go to a file as the production JSON lines; warnings and errors are also shown in the
 * terminal, made readable by pino-pretty (a dev tool: production output stays JSON).
 */
function demoLogger(term: Terminal, file: WriteStream): Logger {
  const pretty = prettyFactory({
    colorize: term.color,
    messageKey: 'message',
    singleLine: true,
    errorLikeObjectKeys: [], // an error stays on the line, not a multi-line block
    ignore: 'time,service,role,error.stack',
  });
  return createJsonLogger({ service: 'migrate-bot' }, (line) => {
    file.write(`${line}\n`);
    const entry = JSON.parse(line) as { level?: string };
    if (entry.level === 'warn' || entry.level === 'error') {
      term.line(`          ${pretty(line).trimEnd()}`, ' '.repeat(12));
    }
  });
}

/** The thread as plain text: the parent as it ends, then every reply and upload. */
function threadText(result: WatchResult, input: Parameters<typeof watchThread>[0]): string {
  const { slack, thread } = input;
  const render = (text: string) => renderMrkdwn(text, plainStyle, NAMES);
  const time = (ts: string) => new Date(Number(ts) * 1000).toISOString().slice(11, 19);
  const parent = slack.messages(thread.channel).find((m) => m.ts === thread.threadTs);
  const lines = [`#general — migration thread (parent ts ${thread.threadTs}), saved by npm run demo`, ''];
  if (parent) {
    lines.push(
      `[${time(parent.ts)}] migrate-bot (parent message, edited ${parent.edits} times; as it ends):`,
    );
    for (const line of messageSource(parent)) lines.push(`    ${render(line)}`);
    lines.push('');
  }
  const files = slack.files(thread.channel, thread.threadTs);
  for (const reply of slack.thread(thread.channel, thread.threadTs)) {
    const body = reply.files?.length
      ? [
          ...reply.files.map((id) => {
            const file = files.find((f) => f.id === id);
            return `📎 ${file?.name ?? id} (${file?.bytes.length ?? 0} bytes)`;
          }),
          render(reply.text),
        ]
      : messageSource(reply).map(render);
    lines.push(`[${time(reply.ts)}] migrate-bot: ${body[0] ?? ''}`);
    for (const line of body.slice(1)) lines.push(`           ${line}`);
  }
  lines.push('', `Outcome: ${result.record.status}`);
  return `${lines.join('\n')}\n`;
}

async function run(
  term: Terminal,
  closers: Closer[],
  signal: AbortSignal,
  { accounts, outDir }: DemoOptions,
): Promise<{ cleanupNote: string }> {
  const { style } = term;
  const startedAt = Date.now();
  const deadline = startedAt + GIVE_UP_AFTER_MS;

  term.line(
    style.bold('migrate-bot demo') + style.dim(' — the whole flow on this machine, against simulators'),
  );
  term.line();

  // Redis: the one at REDIS_URL, or a private one.
  const redisUrl = process.env.REDIS_URL?.trim() || DEFAULT_REDIS_URL;
  const redis = await findOrStartRedis(redisUrl);
  const prefix = `demo-${startedAt}`;
  closers.push(() => redis.stop(prefix));
  const row = (label: string, text: string) =>
    term.line(`  ${style.dim(label.padEnd(10))} ${text}`, ' '.repeat(13));
  row(
    'Redis',
    redis.kind === 'existing'
      ? `${redisLabel(redis.url)} (already running; keys under ${prefix}:*, deleted at the end)`
      : `${redis.url} (private redis-server started for this run, no persistence; stopped at the end)`,
  );
  if (signal.aborted) throw signal.reason;

  await mkdir(outDir, { recursive: true });
  const log = createWriteStream(join(outDir, 'service.log'));
  closers.push(() => new Promise<void>((resolve) => log.end(resolve)));
  const logger = demoLogger(term, log);

  const world = await startWorld({ accounts, outDir, redisUrl: redis.url, prefix, logger, closers });
  const recordsClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  recordsClient.on('error', () => {});
  closers.push(() => recordsClient.quit());
  const records = createMigrationRecords(recordsClient, prefix, migrationJobKeyPrefix(prefix));

  row(
    'Nylas',
    `simulator at ${world.nylas.url}: ${MIGRATED.v2.name} with ${accounts} accounts, ${DEMO_APPS.v2.length} v2 + ${DEMO_APPS.v3.length} v3 apps (US, EU); ${LATENCY_MS.min}–${LATENCY_MS.max} ms latency, ${NYLAS_MIGRATION_LIMIT} migration requests/s per app as Nylas allows, about ${TRANSIENT_5XX_RATE * 100}% of clone calls answer a 5xx (the worker retries them)`,
  );
  row('Slack', `Web API stand-in at ${world.slack.apiUrl} (token ${world.slack.botToken})`);
  row('Apps file', `${shortPath(world.registryPath)} (loaded with loadAppsRegistry)`);
  row(
    'Bot',
    `Bolt HTTP receiver at ${world.botUrl}/slack/events; worker in the same process, pacing clones at 19/s`,
  );
  term.line();
  if (signal.aborted) throw signal.reason;

  const thread = await playSlack({
    world,
    term,
    names: NAMES,
    signal,
    choices: {
      v2AppId: MIGRATED.v2.id,
      v3AppId: MIGRATED.v3.id,
      title: 'Acme Mail',
      environment: 'Production',
      description: 'Acme Mail moved from Nylas v2 by migrate-bot',
    },
  });
  await approveAsSecondAdmin({ world, term, names: NAMES, thread, signal });
  const watchInput = { slack: world.slack, records, thread, term, names: NAMES, deadline, signal };
  const result = await watchThread(watchInput);
  term.line();

  // Save what the thread holds.
  const saved: string[] = [];
  if (result.report) {
    const csvPath = join(outDir, result.report.name);
    await writeFile(csvPath, result.report.bytes);
    saved.push(`  ${style.dim('Report'.padEnd(10))} ${shortPath(csvPath)}`);
  }
  const threadPath = join(outDir, 'thread.txt');
  await writeFile(threadPath, threadText(result, watchInput));
  saved.push(`  ${style.dim('Thread'.padEnd(10))} ${shortPath(threadPath)}`);
  saved.push(
    `  ${style.dim('Also'.padEnd(10))} ${shortPath(world.registryPath)} (apps registry), ${shortPath(join(outDir, 'service.log'))} (service logs, JSON lines)`,
  );
  for (const line of saved) term.line(line, ' '.repeat(13));
  term.line();

  const { record } = result;
  const summary = record.summary;
  const counters = world.nylas.counters();
  const peak = counters.maxMigrationRequestsInAnyWindow[MIGRATED.v3.id] ?? 0;
  const took = formatSeconds(summary?.durationMs ?? Date.now() - thread.confirmedAt);
  const rate = summary ? `${summary.cloneRate.toFixed(1)} clones/s` : 'n/a';
  const counts = summary ? countsLine(summary.counts) : 'no summary';
  const retried = Object.values(counters.cloneCalls).reduce((sum, calls) => sum + Math.max(0, calls - 1), 0);
  const line = `${summary?.total ?? 0} accounts — ${counts} — in ${took} at ${rate}`;
  const slackCalls = world.slack.calls().length;
  const detail = `Nylas saw at most ${peak} migration requests in any second (limit ${NYLAS_MIGRATION_LIMIT}), ${counters.rateLimited} × 429, ${retried} clone ${retried === 1 ? 'call' : 'calls'} retried after a 5xx; Slack got ${slackCalls} Web API calls in all`;
  if (record.status !== 'completed' || !result.report) {
    term.line(style.red(`✘ Migration ${record.status}: ${line}`));
    throw new DemoFailure(
      `the migration ended ${record.status}${record.reason ? `: ${record.reason}` : ''}${result.report ? '' : ' (no CSV report in the thread)'}`,
    );
  }
  term.line(style.green(`✔ Migration completed: ${line}`), '  ');
  term.line(style.dim(`  ${detail}`), '  ');
  term.line();
  const homePath = await showHomeTab({
    world,
    term,
    names: NAMES,
    outDir,
    signal,
    migrationId: record.request.migrationId,
  });
  term.line(`  ${style.dim('Home'.padEnd(10))} ${shortPath(homePath)}`, ' '.repeat(13));
  return {
    cleanupNote:
      redis.kind === 'existing' ? `deleted the demo's Redis keys (${prefix}:*)` : 'stopped the private Redis',
  };
}

async function main(): Promise<number> {
  const parsed = parseDemoArgs(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    process.stderr.write(`demo: ${parsed.error}\n\n${USAGE}\n`);
    return 1;
  }
  if (parsed.options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const term = new Terminal();
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = (name: string) => {
    if (interrupted) {
      process.stderr.write(`\ndemo: second ${name}, exiting without cleaning up\n`);
      process.exit(130);
    }
    interrupted = true;
    term.endStatus();
    term.line(term.style.yellow(`\n${name}: stopping the demo and cleaning up (again to force)…`));
    controller.abort(new Interrupted());
  };
  // `npm run demo | head`: the reader left; stop quietly, but still clean up.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    term.mute();
    if (error.code === 'EPIPE' && !interrupted) {
      interrupted = true;
      controller.abort(new Interrupted());
    }
  });
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const closers: Closer[] = [];
  let code = 0;
  let note = '';
  try {
    note = (await run(term, closers, controller.signal, parsed.options)).cleanupNote;
  } catch (error) {
    term.endStatus();
    if (error instanceof Interrupted || interrupted) {
      code = 130;
    } else if (
      error instanceof DemoFailure ||
      error instanceof NoRedisError ||
      error instanceof ConfigError
    ) {
      process.stderr.write(`demo: ${error.message}\n`);
      code = 1;
    } else {
      process.stderr.write(`demo: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
      if (process.env.DEMO_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
      code = 1;
    }
  }

  // Stop everything that was started, last started first.
  const cleanup = (async () => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) =>
        process.stderr.write(`demo: cleanup step failed: ${(error as Error)?.message ?? String(error)}\n`),
      );
    }
  })();
  const limit = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), CLEANUP_LIMIT_MS).unref(),
  );
  if ((await Promise.race([cleanup, limit])) === 'timeout') {
    process.stderr.write('demo: cleanup took too long; exiting anyway\n');
    return code || 1;
  }
  if (code === 0) term.line(term.style.dim(`Stopped the bot, the worker and the simulators; ${note}.`));
  else if (code === 130) term.line(term.style.dim('Stopped everything the demo started.'));
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
