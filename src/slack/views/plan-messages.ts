import type { KnownBlock } from '@slack/types';
import { ACCOUNT_STATUSES, type AccountStatus } from '../../migration/account.js';
import type { PlanOutcome, PlanReport } from '../../migration/plan/plan-report.js';
import { PREDICTION_RULES, type PredictionRule } from '../../migration/plan/predict.js';
import type { MigrationRequest } from '../../migration/request.js';
import { ACTION } from '../ids.js';
import type { AppLabels } from './parent-message.js';
import { countsLine } from './parent-message.js';
import { context, escapeMrkdwn, plain, section } from './text.js';
import type { SlackMessage } from './thread-messages.js';

/** Rows shown per table; the CSV has them all. */
const TABLE_ROWS = 25;

/** Predicted statuses, as the table's columns say them (a plan has no cancelled). */
const COLUMNS: ReadonlyArray<{ status: AccountStatus; label: string }> = [
  { status: 'migrated', label: 'migrate' },
  { status: 'placeholder', label: 'placeholder' },
  { status: 'skipped', label: 'skipped' },
  { status: 'failed', label: 'will fail' },
];

/** A fixed-width table for a code block: each column as wide as its widest cell. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A code block of text from Nylas (provider names, webhook cells): escaped, as Slack needs even there. */
const code = (text: string) => `\`\`\`\n${escapeMrkdwn(text)}\n\`\`\``;

function cut<T>(items: readonly T[]): { shown: T[]; more: number } {
  return { shown: items.slice(0, TABLE_ROWS), more: Math.max(0, items.length - TABLE_ROWS) };
}

function durationText(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The accounts: predicted outcome per provider, and the rules behind the predictions. */
function accountsMessage(report: PlanReport): SlackMessage {
  const providers = Object.keys(report.byProvider).sort();
  const rows = providers.map((provider) => {
    const counts = report.byProvider[provider] ?? {};
    const total = ACCOUNT_STATUSES.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
    return [provider, ...COLUMNS.map((c) => String(counts[c.status] ?? 0)), String(total)];
  });
  rows.push(['total', ...COLUMNS.map((c) => String(report.counts[c.status])), String(report.total)]);
  const rules = (Object.keys(PREDICTION_RULES) as PredictionRule[])
    .filter((rule) => (report.byRule[rule] ?? 0) > 0)
    .map((rule) => `• ${report.byRule[rule]} — ${PREDICTION_RULES[rule]}`);
  const text = `Plan: ${report.total} accounts — ${countsLine(report.counts)} (predicted)`;
  return {
    text: escapeMrkdwn(text),
    blocks: [
      section(`:clipboard: *Predicted outcome of ${report.total} accounts* (v2 provider × outcome)`),
      section(code(textTable(['provider', ...COLUMNS.map((c) => c.label), 'total'], rows))),
      section(`*Why*\n${rules.join('\n') || '• no accounts'}`),
    ],
  };
}

/** Connectors to create or fix, redirect URIs the import copies. */
function setupMessage(report: PlanReport): SlackMessage {
  const todo = cut(report.connectorTodo);
  const uris = cut(report.redirectUris);
  const todoText = todo.shown.length
    ? todo.shown.map((line) => `• ${escapeMrkdwn(line)}`).join('\n') +
      (todo.more ? `\n…and ${todo.more} more` : '')
    : '• nothing known';
  const uriText = uris.shown.length
    ? uris.shown.map((uri) => `• ${escapeMrkdwn(uri)}`).join('\n') +
      (uris.more ? `\n…and ${uris.more} more` : '')
    : '• none';
  return {
    text: `Plan: ${report.connectorTodo.length} connector items to act on before migrating`,
    blocks: [
      section(
        `:electric_plug: *Connectors to create or fix before migrating* (the run will have: ${escapeMrkdwn(report.connectorsAfterImport.join(', '))})\n${todoText}`,
      ),
      section(`:link: *Redirect URIs the import copies to v3*\n${uriText}`),
    ],
  };
}

/** Slack's limit on a section's text; past it `section()` cuts, closing fence and "more" note included. */
const SECTION_TEXT_MAX = 3000;

/** v2 webhooks and what replaces each trigger on v3. */
function webhooksMessage(report: PlanReport): SlackMessage {
  const header = ['v2 webhook', 'state', 'v2 trigger', 'v3 trigger', 'note'];
  const cells = report.webhooks.map((row) => [
    row.callbackUrl,
    row.state,
    row.v2Trigger,
    row.v3Trigger ?? 'no v3 equivalent',
    row.note ?? '',
  ]);
  const render = (shown: number) => {
    const more = cells.length - shown;
    return code(textTable(header, cells.slice(0, shown))) + (more ? `\n…and ${more} more` : '');
  };
  // As many rows as fit in one section (escaped, fenced, with the "more" note), at most TABLE_ROWS.
  let shown = Math.min(cells.length, TABLE_ROWS);
  while (shown > 0 && render(shown).length > SECTION_TEXT_MAX) shown--;
  const table = cells.length ? render(shown) : 'The v2 application has no webhooks.';
  return {
    text: `Plan: ${report.webhooks.length} v2 webhook triggers to recreate on v3`,
    blocks: [
      section(':satellite_antenna: *Webhooks to recreate on v3* (v3 does not copy them)'),
      section(table),
    ],
  };
}

/** Duration, the calls it takes, the v3 app's state, and the Migrate now button. */
function runMessage(migrationId: string, report: PlanReport): SlackMessage {
  const calls = report.migrationCalls;
  const total = calls.link + calls.import + calls.clones;
  const lines = [
    `*Duration:* about ${durationText(report.estimatedSeconds)} at ${report.ratePerSecond} requests per second`,
    `*Nylas calls:* ${total} migration calls (${calls.link} link, ${calls.import} import, ${calls.clones} clones; retries add a few) and about ${report.readCalls} reads`,
    `*v3 application:* ${report.alreadyLinked ? 'already linked to this v2 application' : 'not linked yet'}; ${report.existingGrants} grants already on it${report.existingGrants ? ' (their accounts are kept, not cloned again)' : ''}`,
  ];
  const blocks: KnownBlock[] = [
    section(`:stopwatch: *The real run*\n${lines.join('\n')}`),
    {
      type: 'actions',
      block_id: 'plan_controls',
      elements: [
        {
          type: 'button',
          action_id: ACTION.migrateNow,
          text: plain('Migrate now'),
          style: 'primary',
          value: migrationId,
        },
      ],
    },
    context(
      'Migrate now opens the confirmation with the same choices; nothing starts until you press Create app.',
    ),
  ];
  return { text: `Plan: about ${durationText(report.estimatedSeconds)}; Migrate now to start`, blocks };
}

/** The thread replies of a plan's end, in order. */
export function planMessages(migrationId: string, outcome: PlanOutcome): SlackMessage[] {
  switch (outcome.kind) {
    case 'planned':
      return [
        accountsMessage(outcome.report),
        setupMessage(outcome.report),
        webhooksMessage(outcome.report),
        runMessage(migrationId, outcome.report),
      ];
    case 'cancelled':
      return [
        {
          text: `Plan cancelled by <@${outcome.by}>`,
          blocks: [
            section(`:no_entry_sign: Plan cancelled by <@${outcome.by}>; nothing was changed at Nylas.`),
          ],
        },
      ];
    case 'failed':
      return [
        {
          text: `Plan failed: ${escapeMrkdwn(outcome.reason)}`,
          blocks: [section(`:x: *Plan failed:* ${escapeMrkdwn(outcome.reason)}`)],
        },
      ];
  }
}

/** The plan's parent message once it ended: no Cancel button left. */
export function planParent(
  request: Pick<
    MigrationRequest,
    'migrationId' | 'v2AppId' | 'v3AppId' | 'title' | 'environment' | 'requestedBy'
  >,
  labels: AppLabels,
  outcome: PlanOutcome,
): SlackMessage {
  const state =
    outcome.kind === 'planned'
      ? `:white_check_mark: Plan *${escapeMrkdwn(request.title)}* ready — ${countsLine(outcome.report.counts)} (predicted)`
      : outcome.kind === 'cancelled'
        ? `:no_entry_sign: Plan *${escapeMrkdwn(request.title)}* was cancelled`
        : `:x: Plan *${escapeMrkdwn(request.title)}* failed`;
  const route = `v2 \`${escapeMrkdwn(request.v2AppId)}\` (${escapeMrkdwn(labels.v2Name)}) → v3 *${escapeMrkdwn(labels.v3Name)}* (\`${escapeMrkdwn(request.v3AppId)}\`)`;
  return {
    text: escapeMrkdwn(`Plan "${request.title}" (${request.v2AppId} → ${request.v3AppId}): ${outcome.kind}`),
    blocks: [
      section(
        `${state}\n${route}\n*Environment:* ${request.environment} · *Region:* ${labels.region.toUpperCase()} · started by <@${request.requestedBy}>`,
      ),
      context(
        `Plan \`${request.migrationId}\` · a dry run: nothing was changed at Nylas · details in the thread`,
      ),
    ],
  };
}
