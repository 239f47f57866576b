import type { KnownBlock } from '@slack/types';
import type { ConnectorStatus } from '../../migration/checklist.js';
import type { MigrationEvent } from '../../migration/notifier.js';
import { LIST_LIMIT, type MigrationSummary } from '../../migration/summary.js';
import { ACTION } from '../ids.js';
import { countsLine } from './parent-message.js';
import { context, escapeMrkdwn, messageText, plain, section } from './text.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

const formatDuration = (ms: number) => {
  const seconds = Math.round(ms / 1000);
  return seconds < 90 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
};

function connectorsMessage(connectors: readonly ConnectorStatus[]): SlackMessage {
  if (connectors.length === 0) {
    return {
      text: 'No connectors were imported',
      blocks: [section(':electric_plug: No connectors were imported from the v2 application.')],
    };
  }
  const lines = connectors.map(
    (c) =>
      `• *${escapeMrkdwn(c.name)}* (${c.provider})${c.needs.length ? ` — still needs: ${c.needs.map(escapeMrkdwn).join('; ')}` : ''}`,
  );
  return {
    text: escapeMrkdwn(`Connectors copied to v3: ${connectors.map((c) => c.provider).join(', ')}`),
    blocks: [section(`:electric_plug: *Connectors copied to v3*\n${lines.join('\n')}`)],
  };
}

function retryButton(migrationId: string): KnownBlock {
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTION.retryFailed,
        text: plain('Retry failed'),
        value: migrationId,
        confirm: {
          title: plain('Retry the failed accounts?', 100),
          text: plain(
            'Only accounts that failed or were cancelled are tried again; a fresh full report follows in this thread.',
            300,
          ),
          confirm: plain('Retry', 30),
          deny: plain('Not now', 30),
        },
      },
    ],
  };
}

/** The end of a run: counts per status and provider, duration, who must re-authenticate, what is left to do. */
export function summaryMessage(summary: MigrationSummary, failedReason?: string): SlackMessage {
  const outcome =
    summary.outcome === 'completed'
      ? ':white_check_mark: *Migration finished*'
      : summary.outcome === 'cancelled'
        ? ':no_entry_sign: *Migration cancelled*'
        : `:x: *Migration stopped:* ${escapeMrkdwn(failedReason ?? summary.reason ?? 'see above')}`;
  const providers = Object.entries(summary.byProvider)
    .sort(
      ([, a], [, b]) =>
        Object.values(b).reduce((x, y) => x + y, 0) - Object.values(a).reduce((x, y) => x + y, 0),
    )
    .slice(0, 15)
    .map(([provider, counts]) => `• ${escapeMrkdwn(provider)}: ${countsLine(counts, ', ')}`);
  const reauth = summary.reauthenticate.map(
    (entry) => `• ${escapeMrkdwn(entry.email)} (${escapeMrkdwn(entry.provider)})`,
  );
  const more = summary.reauthenticateTotal - summary.reauthenticate.length;
  const blocks: KnownBlock[] = [
    section(
      `${outcome}\n${summary.total} accounts: ${countsLine(summary.counts) || 'none'}\nTook ${formatDuration(summary.durationMs)} · ${summary.cloneCalls} clone calls at ${summary.cloneRate.toFixed(1)}/s`,
    ),
  ];
  if (providers.length > 0) blocks.push(section(`*By provider*\n${providers.join('\n')}`));
  if (summary.reauthenticateTotal > 0) {
    blocks.push(
      section(
        `*${summary.reauthenticateTotal} users must authenticate again on v3* (Microsoft personal/Exchange accounts are expected here)\n${reauth.join('\n')}${more > 0 ? `\n…and ${more} more: see \`action_required\` in the CSV report` : ''}`,
      ),
    );
  }
  if (summary.checklist.length > 0) {
    blocks.push(
      section(
        `*Follow-up checklist*\n${summary.checklist
          .slice(0, LIST_LIMIT)
          .map((item) => `☐ ${escapeMrkdwn(item)}`)
          .join('\n')}`,
      ),
    );
  }
  if (summary.counts.failed + summary.counts.cancelled > 0) blocks.push(retryButton(summary.migrationId));
  return {
    text: `${summary.outcome === 'completed' ? 'Migration finished' : summary.outcome === 'cancelled' ? 'Migration cancelled' : 'Migration stopped'}: ${countsLine(summary.counts)}`,
    blocks,
  };
}

/** A thread reply for each run event: per step and per milestone, never per account. */
export function eventMessage(migrationId: string, event: MigrationEvent): SlackMessage {
  const message = eventMessageOf(migrationId, event);
  return { ...message, text: messageText(message.text) };
}

function eventMessageOf(migrationId: string, event: MigrationEvent): SlackMessage {
  switch (event.type) {
    case 'started':
      return {
        text: `Preflight passed${event.resumed ? ' again' : ''}`,
        blocks: [
          section(
            `:mag: Preflight passed${event.resumed ? ' again' : ''}: v2 *${escapeMrkdwn(event.v2AppName)}* and v3 *${escapeMrkdwn(event.v3AppName)}* answer, both in region ${event.region.toUpperCase()}, and the v3 application is not linked to another v2 application.`,
          ),
        ],
      };
    case 'step_done':
      return {
        text: escapeMrkdwn(event.text),
        blocks: [section(`:white_check_mark: ${escapeMrkdwn(event.text)}`), ...detailBlocks(event.details)],
      };
    case 'warning':
      return {
        text: `Warning: ${escapeMrkdwn(event.text)}`,
        blocks: [section(`:warning: ${escapeMrkdwn(event.text)}`)],
      };
    case 'connectors':
      return connectorsMessage(event.connectors);
    case 'milestone':
      return {
        text: escapeMrkdwn(event.text),
        blocks: [section(`:hourglass_flowing_sand: ${escapeMrkdwn(event.text)}`)],
      };
    case 'cancel_requested':
      return {
        text: `Cancel requested by <@${event.by}>`,
        blocks: [section(`:octagonal_sign: Cancel requested by <@${event.by}>: stopping between accounts.`)],
      };
    case 'finished':
      return summaryMessage(event.summary);
    case 'failed':
      if (event.summary) return summaryMessage(event.summary, event.reason);
      return {
        text: `The migration failed at ${event.step}: ${escapeMrkdwn(event.reason)}`,
        blocks: [
          section(`:x: *The migration failed* at step _${event.step}_: ${escapeMrkdwn(event.reason)}`),
          context(
            'Nothing more will happen in this run. Fix the cause, then use Retry failed or run /migrate again.',
          ),
          retryButton(migrationId),
        ],
      };
  }
}

function detailBlocks(details: string[] | undefined): KnownBlock[] {
  return details?.length ? [context(details.slice(0, 10).map(escapeMrkdwn).join(' · '))] : [];
}
