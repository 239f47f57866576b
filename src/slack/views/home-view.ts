import type { HomeView, KnownBlock } from '@slack/types';
import type { AppsRegistry } from '../../config/apps-registry.js';
import type { MigrationRecord } from '../../store/migration-records.js';
import { ACTION } from '../ids.js';
import type { RunsOverview } from '../runs-overview.js';
import { appLabels, countsLine } from './parent-message.js';
import { context, escapeMrkdwn, plain, progressBar, section, threadLink } from './text.js';

/** Runs shown on the Home tab: 3 blocks each plus a few headers stays far under Slack's 100 blocks. */
export const HOME_RUNS = 20;
/** Slack refuses a Home view of more than this many blocks. */
export const MAX_HOME_BLOCKS = 100;

const LIVE = new Set(['reserved', 'awaiting_approval', 'queued', 'running']);

const STATE_LABELS: Record<string, string> = {
  reserved: ':hourglass: starting',
  awaiting_approval: ':raised_hand: awaiting approval',
  queued: ':hourglass: queued',
  running: ':arrows_counterclockwise: running',
  completed: ':white_check_mark: completed',
  cancelled: ':no_entry_sign: cancelled',
  failed: ':x: failed',
};

/** A time Slack shows in the reader's own time zone; the fallback (UTC) is what clients without it show. */
function when(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback}>`;
}

function stateLine(record: MigrationRecord): string {
  const cancelling =
    LIVE.has(record.status) && record.cancelRequestedBy
      ? ` (cancel requested by <@${record.cancelRequestedBy}>)`
      : '';
  const label = `${STATE_LABELS[record.status] ?? record.status}${cancelling}`;
  const progress = record.progress;
  if (record.status === 'running' && progress)
    return `${label} · \`${progressBar(progress.done, progress.total, 10)}\` · ${progress.done} of ${progress.total} accounts${countsOf(progress.counts)}`;
  if (record.summary) return `${label} · ${record.summary.total} accounts${countsOf(record.summary.counts)}`;
  return label;
}

function countsOf(counts: Parameters<typeof countsLine>[0]): string {
  const line = countsLine(counts);
  return line ? ` — ${line}` : '';
}

function approvalLine(record: MigrationRecord): string | undefined {
  const approval = record.approval;
  if (!approval) return undefined;
  const by = approval.by ? ` by <@${approval.by}>` : '';
  switch (approval.decision) {
    case 'approved':
      return `approved${by}`;
    case 'rejected':
      return `rejected${by}`;
    default:
      return 'approval expired';
  }
}

function runBlocks(
  registry: AppsRegistry,
  record: MigrationRecord,
  permalink: string | undefined,
): KnownBlock[] {
  const r = record.request;
  const apps = appLabels(registry, r);
  const where = r.slack?.threadTs ? `${threadLink(permalink)} in <#${r.slack.channel}>` : 'no thread yet';
  const main = section(
    [
      `*${escapeMrkdwn(r.title)}* · ${r.environment}${r.mode === 'only_failed' ? ' · retry of failed accounts' : ''}`,
      `v2 app ${escapeMrkdwn(apps.v2Name)} → v3 app ${escapeMrkdwn(apps.v3Name)}`,
      stateLine(record),
      where,
    ].join('\n'),
    `home_run_${r.migrationId}`,
  );
  // Only a run with a report can re-upload it (the same rule as `/migrate report <id>`).
  if (record.summary && main.type === 'section')
    main.accessory = {
      type: 'button',
      action_id: ACTION.homeReport,
      value: r.migrationId,
      text: plain('Re-upload report'),
    };
  const meta = [
    `requested by <@${r.requestedBy}> ${when(r.createdAt)}`,
    approvalLine(record),
    record.startedAt ? `started ${when(record.startedAt)}` : undefined,
    record.finishedAt ? `finished ${when(record.finishedAt)}` : undefined,
    `\`${r.migrationId}\``,
  ].filter((part): part is string => part !== undefined);
  return [main, context(meta.join(' · ')), { type: 'divider' }];
}

const header = (text: string): KnownBlock => ({ type: 'header', text: plain(text, 150) });

function noticeBlocks(notice: string | undefined): KnownBlock[] {
  return notice ? [section(`:information_source: ${escapeMrkdwn(notice)}`, 'home_notice')] : [];
}

/** The Home tab of a verified admin: running runs first, then recent ones, each with its thread. */
export function homeView(input: {
  registry: AppsRegistry;
  overview: RunsOverview;
  notice?: string | undefined;
  now?: number;
}): HomeView {
  const { overview } = input;
  const records = overview.records.slice(0, HOME_RUNS);
  const running = records.filter((record) => LIVE.has(record.status));
  const recent = records.filter((record) => !LIVE.has(record.status));
  const blocks: KnownBlock[] = [
    header('Nylas v2 → v3 migrations'),
    context(
      `Updated ${when(input.now ?? Date.now())} · the ${HOME_RUNS} most recent runs · \`/migrate\` starts one, \`/migrate status\` lists them in a channel`,
    ),
    ...noticeBlocks(input.notice),
  ];
  if (records.length === 0) blocks.push(section('No migrations yet. Type `/migrate` to start one.'));
  const group = (title: string, list: MigrationRecord[]) => {
    blocks.push(section(`*${title} (${list.length})*`));
    for (const record of list)
      blocks.push(...runBlocks(input.registry, record, overview.links.get(record.request.migrationId)));
  };
  if (running.length > 0 || records.length > 0) group('Running', running);
  if (recent.length > 0) group('Recent', recent);
  return { type: 'home', blocks: blocks.slice(0, MAX_HOME_BLOCKS) };
}

/** The Home tab of anyone else: what the tab is for, why they see nothing, and no run data. */
export function homeRefusedView(reason: string, notice?: string): HomeView {
  return {
    type: 'home',
    blocks: [
      header('Nylas v2 → v3 migrations'),
      ...noticeBlocks(notice),
      section(
        `This tab shows running and recent migrations to verified workspace admins only. You can't see them: ${escapeMrkdwn(reason)}.`,
      ),
      context('Ask a workspace admin if you need to know how a migration went.'),
    ],
  };
}
