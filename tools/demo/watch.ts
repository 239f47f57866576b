/**
 * Follows the migration's thread in the Slack stand-in as a person in the channel would see it: the
 * parent message and its edits, each reply, the uploaded report. Polls every 200 ms; the live status
 * line comes from the run's progress in Redis (what `/migrate status` reads).
 */

import { sleep } from '../../src/shared/sleep.js';
import { BLOCK } from '../../src/slack/ids.js';
import { countsLine } from '../../src/slack/views/parent-message.js';
import { progressBar } from '../../src/slack/views/text.js';
import type { MigrationRecord, MigrationRecords } from '../../src/store/migration-records.js';
import type { SimFile, SimMessage, SlackSim } from '../../testkit/slack-sim/index.js';
import type { StartedThread } from './drive.js';
import { capBullets, clock, formatSeconds, messageSource, renderMrkdwn, type Terminal } from './print.js';
import { DemoFailure } from './wait.js';

const POLL_MS = 200;
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const FINISHED = new Set(['completed', 'cancelled', 'failed']);
/** The final summary reply (thread-messages.ts `summaryMessage`) and a failure without one. */
const SUMMARY_TEXT = /^Migration (finished|cancelled|stopped)\b/;
const FAILED_TEXT = /^The migration failed at\b/;

export interface WatchResult {
  record: MigrationRecord;
  /** The uploaded CSV report, if one reached the thread. */
  report: SimFile | undefined;
  /** The final summary reply, or the failure reply. */
  last: SimMessage;
}

const tsMillis = (ts: string) => Math.round(Number(ts) * 1000);

interface ParentView {
  headline: string;
  progress: string;
}

function parentView(message: SimMessage): ParentView {
  const blocks = (message.blocks ?? []) as Array<{ block_id?: unknown }>;
  const lines = messageSource(message);
  const progressBlock = blocks.find((b) => b.block_id === BLOCK.progress);
  const progress = progressBlock ? messageSource({ blocks: [progressBlock] }).join(' · ') : '';
  return { headline: lines[0] ?? message.text, progress };
}

export async function watchThread(input: {
  slack: SlackSim;
  records: MigrationRecords;
  thread: StartedThread;
  term: Terminal;
  names: Record<string, string>;
  deadline: number;
  signal: AbortSignal;
}): Promise<WatchResult> {
  const { slack, records, thread, term, names, signal } = input;
  const { style } = term;
  const render = (text: string) => renderMrkdwn(text, style, names);
  const since = (at: number) => style.dim(clock(at - thread.confirmedAt));
  const indent = ' '.repeat(10);

  let shownParent: ParentView | undefined;
  let shownReplies = 0;
  let migrationId: string | undefined;
  let record: MigrationRecord | undefined;
  let last: SimMessage | undefined;
  let frame = 0;

  const printParent = (message: SimMessage) => {
    const view = parentView(message);
    if (!shownParent) {
      term.line(`${style.bold('#general')}  ${style.dim(`migrate-bot · parent message ts ${message.ts}`)}`);
      for (const line of messageSource(message)) term.line(`  │ ${render(line)}`, '  │   ');
      term.line(style.dim('  └ thread:'));
    } else if (view.headline !== shownParent.headline || view.progress !== shownParent.progress) {
      const parts = [
        view.headline !== shownParent.headline ? render(view.headline) : undefined,
        view.progress !== shownParent.progress ? render(view.progress) : undefined,
      ].filter(Boolean);
      term.line(`${since(Date.now())}  ${style.dim('✎ parent')}  ${parts.join(' · ')}`, indent);
    }
    shownParent = view;
  };

  const printReply = (reply: SimMessage) => {
    const at = since(tsMillis(reply.ts));
    if (reply.files?.length) {
      const files = slack.files(thread.channel, thread.threadTs);
      for (const id of reply.files) {
        const file = files.find((f) => f.id === id);
        const size = file
          ? `${(file.bytes.length / 1024).toFixed(1)} kB, ${file.text.split('\n').filter(Boolean).length - 1} rows`
          : '';
        term.line(`${at}  📎 ${style.bold(file?.name ?? id)} ${style.dim(`(${size})`)}`, indent);
      }
      if (reply.text) term.line(`${indent}${render(reply.text)}`, indent);
      return;
    }
    const lines = capBullets(messageSource(reply), 6);
    const [first = reply.text, ...rest] = lines;
    term.line(`${at}  ${render(first)}`, indent);
    for (const line of rest) term.line(`${indent}${render(line)}`, `${indent}  `);
  };

  const liveLine = () => {
    frame = (frame + 1) % SPINNER.length;
    const progress = record?.progress;
    const elapsed = formatSeconds(Date.now() - thread.confirmedAt);
    if (!progress) return `  ${SPINNER[frame]} ${record?.status ?? 'waiting for the worker'} · ${elapsed}`;
    const rate = progress.cloneRate ? ` · ${progress.cloneRate.toFixed(1)} clones/s` : '';
    const counts = countsLine(progress.counts);
    return `  ${SPINNER[frame]} ${progress.step}  ${progressBar(progress.done, progress.total, 12)}  ${progress.done}/${progress.total}${counts ? ` · ${counts}` : ''}${rate} · ${elapsed}`;
  };

  for (;;) {
    if (signal.aborted) throw signal.reason;
    // One snapshot of both; the parent first only the first time, its edits after the replies (an edit
    // seen now happened after the replies seen now were posted, or at about the same time).
    const parent = slack.messages(thread.channel).find((m) => m.ts === thread.threadTs);
    const replies = slack.thread(thread.channel, thread.threadTs);
    if (parent && !shownParent) printParent(parent);
    for (; shownReplies < replies.length; shownReplies++) {
      const reply = replies[shownReplies];
      if (!reply) continue;
      printReply(reply);
      if (SUMMARY_TEXT.test(reply.text) || FAILED_TEXT.test(reply.text)) last = reply;
    }
    if (parent) printParent(parent);

    migrationId ??= (await records.recent(1))[0]?.request.migrationId;
    record = migrationId ? await records.get(migrationId) : undefined;
    term.status(liveLine());

    const report = slack.files(thread.channel, thread.threadTs).find((f) => f.name.endsWith('.csv'));
    const reportDone = report !== undefined || (last !== undefined && FAILED_TEXT.test(last.text));
    if (last && reportDone && record && FINISHED.has(record.status)) {
      // The worker's last edits of the parent land right after the summary: show them too.
      await sleep(3 * POLL_MS, signal);
      const final = slack.messages(thread.channel).find((m) => m.ts === thread.threadTs);
      if (final) printParent(final);
      term.endStatus();
      return { record, report, last };
    }
    if (Date.now() > input.deadline) {
      term.endStatus();
      const where = record?.progress
        ? `${record.status}, step ${record.progress.step}, ${record.progress.done} of ${record.progress.total} accounts`
        : (record?.status ?? 'not started');
      throw new DemoFailure(
        `gave up waiting after ${formatSeconds(Date.now() - thread.confirmedAt)}: the migration is still ${where}${last && !report ? ' (the summary is posted but the CSV report never reached the thread)' : ''}`,
      );
    }
    await sleep(POLL_MS, signal);
  }
}
