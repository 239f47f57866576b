import type { KnownBlock } from '@slack/types';
import type { MigrationRecord } from '../../store/migration-records.js';
import { approvalNote } from './approval-text.js';
import { countsLine } from './parent-message.js';
import { escapeMrkdwn, progressBar, section, threadLink } from './text.js';

export const HELP_TEXT = [
  '*/migrate* moves a Nylas v2 application to Nylas v3, with every step in a Slack thread.',
  '• `/migrate` — open the form: v2 application, destination v3 application, title, environment, description, options. You confirm before anything starts.',
  '• `/migrate status` — running and recent migrations, with links to their threads.',
  "• `/migrate report <id>` — upload a migration's report into its thread again.",
  '• `/migrate help` — this message.',
  'Only verified workspace admins can run migrations. v2 and v3 applications must be in the same data center region. The v3 application must exist (create it in the Nylas Dashboard).',
].join('\n');

const LIVE = new Set(['reserved', 'awaiting_approval', 'queued', 'running']);

function line(record: MigrationRecord, permalink: string | undefined): string {
  const r = record.request;
  const where = r.slack?.threadTs ? `${threadLink(permalink)} in <#${r.slack.channel}>` : 'no thread';
  const state = LIVE.has(record.status)
    ? record.progress
      ? `running · \`${progressBar(record.progress.done, record.progress.total, 10)}\``
      : record.status
    : `${record.status}${record.summary ? ` · ${countsLine(record.summary.counts)}` : ''}`;
  const shown = record.status === 'awaiting_approval' ? 'waiting for a second admin' : state;
  const approval = record.approval ? ` · ${approvalNote(record.approval)}` : '';
  return `• *${escapeMrkdwn(r.title)}* — \`${escapeMrkdwn(r.v2AppId)}\` → \`${escapeMrkdwn(r.v3AppId)}\` · ${shown}${approval} · ${where}`;
}

/** `/migrate status`: running migrations first, then recent ones; `links` maps migration ids to permalinks. */
export function statusReply(
  records: readonly MigrationRecord[],
  links: ReadonlyMap<string, string | undefined> = new Map(),
): { text: string; blocks: KnownBlock[] } {
  const lineOf = (record: MigrationRecord) => line(record, links.get(record.request.migrationId));
  const running = records.filter((r) => LIVE.has(r.status));
  const recent = records.filter((r) => !LIVE.has(r.status));
  if (records.length === 0)
    return {
      text: 'No migrations yet. Type /migrate to start one.',
      blocks: [section('No migrations yet. Type `/migrate` to start one.')],
    };
  const blocks: KnownBlock[] = [];
  blocks.push(section(`*Running (${running.length})*\n${running.map(lineOf).join('\n') || 'none'}`));
  if (recent.length > 0) blocks.push(section(`*Recent*\n${recent.map(lineOf).join('\n')}`));
  return { text: `${running.length} running, ${recent.length} recent migrations`, blocks };
}
