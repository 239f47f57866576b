/**
 * The demo's plan step: on the confirm view, "Plan first" (a dry run: read calls only), then the plan's
 * thread printed as it ends, then "Migrate now" under it, which opens the confirm view again with the
 * same choices — the view the demo then submits with "Create app". Also checks what a plan promises:
 * no write reached the Nylas simulator while it ran.
 */
import { ACTION } from '../../src/slack/ids.js';
import { buttonClickPayload, payloadBody, postToBot } from '../../testkit/slack-sim/driver.js';
import { capBullets, messageSource, renderMrkdwn, type Terminal } from './print.js';
import type { DemoWorld } from './setup.js';
import { DemoFailure, waitFor } from './wait.js';

type View = Record<string, unknown>;

const WRITE = /^(POST|PUT|PATCH|DELETE) /;

export async function runPlanStep(input: {
  world: DemoWorld;
  term: Terminal;
  names: Record<string, string>;
  signal: AbortSignal;
  admin: string;
  channel: string;
  /** The modal (its id: the form's) and the confirm view pushed on it. */
  modalId: string;
  confirm: View;
}): Promise<View> {
  const { world, term, names, signal, admin, channel } = input;
  const { slack, nylas } = world;
  const { style } = term;
  const render = (text: string) => renderMrkdwn(text, style, names);
  const post = (payload: Record<string, unknown>) =>
    postToBot(world.botUrl, payloadBody(payload), { secret: world.signingSecret });
  const indent = '      ';
  const writesBefore = Object.entries(nylas.counters().requests).filter(([key]) => WRITE.test(key));

  // "Plan first", clicked in the modal: the payload carries the confirm view and its metadata.
  const base = buttonClickPayload({
    userId: admin,
    teamId: slack.teamId,
    channelId: channel,
    messageTs: '0',
    actionId: ACTION.planFirst,
    value: 'plan',
  });
  const { channel: _channel, message: _message, response_url: _url, ...rest } = base;
  const before = slack.messages(channel).length;
  const clicked = await post({
    ...rest,
    container: { type: 'view', view_id: input.modalId },
    trigger_id: slack.issueTriggerId(),
    view: {
      id: input.modalId,
      type: 'modal',
      callback_id: String(input.confirm.callback_id),
      private_metadata: String(input.confirm.private_metadata ?? ''),
      state: { values: {} },
    },
  });
  term.line(
    `  click "Plan first (no changes)"  ${style.dim(`→ HTTP ${clicked.status} ack in ${clicked.ms.toFixed(0)} ms`)}`,
  );
  const parent = await waitFor('the plan thread in #general', () => slack.messages(channel)[before], {
    timeoutMs: 10_000,
    signal,
  });
  const replies = () => slack.thread(channel, parent.ts);
  const last = await waitFor(
    'the plan to end',
    () =>
      replies().find((m) => /migrate_now|Plan cancelled|Plan failed/.test(JSON.stringify(m.blocks ?? []))),
    { timeoutMs: 60_000, signal },
  );
  const writes = Object.entries(nylas.counters().requests).filter(([key]) => WRITE.test(key));
  if (JSON.stringify(writes) !== JSON.stringify(writesBefore))
    throw new DemoFailure(`the plan made write calls at Nylas: ${JSON.stringify(writes)}`);

  term.line();
  term.line(style.bold('Plan thread') + style.dim('  (a dry run: no write reached Nylas)'));
  const parentNow = slack.messages(channel).find((m) => m.ts === parent.ts) ?? parent;
  for (const line of messageSource(parentNow)) term.line(`  ${render(line)}`, '    ');
  const files = slack.files(channel, parent.ts);
  for (const reply of replies()) {
    const lines = reply.files?.length
      ? reply.files.map((id) => `📎 ${files.find((f) => f.id === id)?.name ?? id} — ${reply.text}`)
      : capBullets(messageSource(reply), 12);
    for (const line of lines) term.line(`${indent}${render(line)}`, `${indent}  `);
  }
  const planId = migrateNowValue(last.blocks);
  if (!planId) throw new DemoFailure('the plan ended without a Migrate now button');

  // "Migrate now": the confirm view again, opened with the click's trigger id.
  const opensBefore = slack.views().filter((v) => v.kind === 'open').length;
  const now = await post({
    ...buttonClickPayload({
      userId: admin,
      teamId: slack.teamId,
      channelId: channel,
      messageTs: last.ts,
      actionId: ACTION.migrateNow,
      value: planId,
      responseUrl: slack.issueResponseUrl({ channel, user: admin, messageTs: last.ts, threadTs: parent.ts }),
    }),
    trigger_id: slack.issueTriggerId(),
  });
  const opened = await waitFor(
    'Migrate now to open the confirm view',
    () => slack.views().filter((v) => v.kind === 'open')[opensBefore],
    { timeoutMs: 10_000, signal },
  );
  term.line();
  term.line(
    `  click "Migrate now"  ${style.dim(`→ HTTP ${now.status}; views.open "Confirm migration" with the plan's choices`)}`,
  );
  return opened.view as View;
}

/** The plan id on the Migrate now button of a message's blocks. */
function migrateNowValue(blocks: unknown[] | undefined): string | undefined {
  for (const block of (blocks ?? []) as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>)
    for (const element of block.elements ?? [])
      if (element.action_id === ACTION.migrateNow) return element.value;
  return undefined;
}
