import type { KnownBlock } from '@slack/types';
import type { AppsRegistry } from '../../config/apps-registry.js';
import type { AccountStatus } from '../../migration/account.js';
import type { ProgressPayload, StatusCounts } from '../../migration/progress.js';
import type { MigrationRequest } from '../../migration/request.js';
import type { MigrationSummary } from '../../migration/summary.js';
import { ACTION, BLOCK } from '../ids.js';
import { approvalNote } from './approval-text.js';
import { context, escapeMrkdwn, plain, progressBar, section } from './text.js';

export type ParentState =
  | { kind: 'starting' }
  | { kind: 'running'; progress: ProgressPayload }
  | { kind: 'finished'; summary: MigrationSummary }
  | { kind: 'failed'; reason: string; summary?: MigrationSummary | undefined };

export interface AppLabels {
  v2Name: string;
  v3Name: string;
  region: string;
}

/** Names and region for the parent message, from the registry (ids stand in for unknown apps). */
export function appLabels(
  registry: AppsRegistry,
  request: Pick<MigrationRequest, 'v2AppId' | 'v3AppId'>,
): AppLabels {
  const v2 = registry.v2(request.v2AppId);
  const v3 = registry.v3(request.v3AppId);
  return {
    v2Name: v2?.name ?? request.v2AppId,
    v3Name: v3?.name ?? request.v3AppId,
    region: v2?.region ?? v3?.region ?? '?',
  };
}

const STATUS_LABELS: Record<AccountStatus, (n: number) => string> = {
  migrated: () => 'migrated',
  placeholder: (n) => (n === 1 ? 'placeholder' : 'placeholders'),
  failed: () => 'failed',
  skipped: () => 'skipped',
  cancelled: () => 'cancelled',
};

/** `179 migrated · 80 placeholders · 18 failed`, always in the same order, zeros left out. */
export function countsLine(counts: Partial<StatusCounts>, separator = ' · '): string {
  return (Object.keys(STATUS_LABELS) as AccountStatus[])
    .filter((status) => (counts[status] ?? 0) > 0)
    .map((status) => `${counts[status]} ${STATUS_LABELS[status](counts[status] ?? 0)}`)
    .join(separator);
}

function headline(request: Pick<MigrationRequest, 'title' | 'mode'>, state: ParentState): string {
  const what =
    request.mode === 'only_failed'
      ? 'Retry of failed accounts'
      : request.mode === 'plan'
        ? 'Plan (dry run, no changes)'
        : 'Migration';
  switch (state.kind) {
    case 'starting':
      return `:hourglass_flowing_sand: ${what} *${escapeMrkdwn(request.title)}* is queued`;
    case 'running':
      return `:arrows_counterclockwise: ${what} *${escapeMrkdwn(request.title)}* is running (${state.progress.step})`;
    case 'finished':
      return state.summary.outcome === 'cancelled'
        ? `:no_entry_sign: ${what} *${escapeMrkdwn(request.title)}* was cancelled`
        : `:white_check_mark: ${what} *${escapeMrkdwn(request.title)}* finished`;
    case 'failed':
      return `:x: ${what} *${escapeMrkdwn(request.title)}* failed`;
  }
}

/** The parent's second and third lines: which apps, environment, region, who asked. */
export function routeLines(
  request: Pick<MigrationRequest, 'v2AppId' | 'v3AppId' | 'environment' | 'requestedBy'>,
  labels: AppLabels,
): string {
  const route = `v2 \`${escapeMrkdwn(request.v2AppId)}\` (${escapeMrkdwn(labels.v2Name)}) → v3 *${escapeMrkdwn(labels.v3Name)}* (\`${escapeMrkdwn(request.v3AppId)}\`)`;
  return `${route}\n*Environment:* ${request.environment} · *Region:* ${labels.region.toUpperCase()} · started by <@${request.requestedBy}>`;
}

/**
 * The thread's parent: who started what (v2 app → v3 app, title, environment, region), a progress bar,
 * and a Cancel button (admins only, with a confirm dialog) while the run is live.
 */
export function parentMessage(
  request: Pick<
    MigrationRequest,
    'migrationId' | 'v2AppId' | 'v3AppId' | 'title' | 'environment' | 'requestedBy' | 'mode' | 'approval'
  >,
  labels: AppLabels,
  state: ParentState,
): { text: string; blocks: KnownBlock[] } {
  const approved = request.approval ? ` · ${approvalNote(request.approval)}` : '';
  const blocks: KnownBlock[] = [
    section(`${headline(request, state)}\n${routeLines(request, labels)}${approved}`),
  ];
  let progressText: string;
  if (state.kind === 'running') {
    const { done, total, counts } = state.progress;
    const rate = state.progress.cloneRate ? ` · ${state.progress.cloneRate.toFixed(1)} clones/s` : '';
    progressText =
      total === 0
        ? `\`${progressBar(0, 1)}\` preparing: ${state.progress.step}`
        : `\`${progressBar(done, total)}\` ${done} of ${total} accounts${rate}\n${countsLine(counts) || 'no outcomes yet'}`;
  } else if (state.kind === 'finished' || (state.kind === 'failed' && state.summary)) {
    const summary = state.kind === 'finished' ? state.summary : (state.summary as MigrationSummary);
    progressText = `\`${progressBar(summary.total - summary.counts.cancelled, summary.total)}\` ${summary.total} accounts\n${countsLine(summary.counts)}`;
  } else if (state.kind === 'failed') {
    progressText = `*Reason:* ${escapeMrkdwn(state.reason)}`;
  } else {
    progressText = `\`${progressBar(0, 1)}\` waiting for a worker`;
  }
  blocks.push(section(progressText, BLOCK.progress));
  if (state.kind === 'starting' || state.kind === 'running') {
    blocks.push({
      type: 'actions',
      block_id: BLOCK.controls,
      elements: [
        {
          type: 'button',
          action_id: ACTION.cancel,
          text: plain('Cancel'),
          style: 'danger',
          value: request.migrationId,
          confirm: {
            title: plain('Cancel the migration?', 100),
            text: plain(
              'Accounts already migrated stay migrated; the rest are marked cancelled and can be retried later.',
              300,
            ),
            confirm: plain('Cancel it', 30),
            deny: plain('Keep running', 30),
            style: 'danger',
          },
        },
      ],
    });
  }
  blocks.push(context(`Migration \`${request.migrationId}\` · details in the thread`));
  const plainState =
    state.kind === 'running'
      ? `${state.progress.done}/${state.progress.total} accounts`
      : state.kind === 'finished'
        ? countsLine(state.summary.counts)
        : state.kind === 'failed'
          ? `failed: ${state.reason}`
          : 'queued';
  return {
    // The fallback is mrkdwn too (notifications, screen readers): escaped like the blocks.
    text: escapeMrkdwn(
      `Migration "${request.title}" (${request.v2AppId} → ${request.v3AppId}): ${plainState}`,
    ),
    blocks,
  };
}
