/**
 * Plays Slack's part: signed requests to the bot's real HTTP receiver, exactly as Slack sends them —
 * the slash command, the form's submission, then "Create app" — reading the bot's answers and what it
 * asked the Web API stand-in to do (views.open, the thread's parent message).
 */

import { BLOCK } from '../../src/slack/ids.js';
import {
  commandBody,
  formValues,
  postToBot,
  type SlackPost,
  viewSubmission,
} from '../../testkit/slack-sim/driver.js';
import { runPlanStep } from './plan-step.js';
import { capBullets, messageSource, renderMrkdwn, type Terminal } from './print.js';
import type { DemoWorld } from './setup.js';
import { DemoFailure, waitFor } from './wait.js';

export const ADMIN = 'U_ADMIN';
export const CHANNEL = 'C_GENERAL';

export interface FormChoices {
  v2AppId: string;
  v3AppId: string;
  title: string;
  environment: 'Development' | 'Staging' | 'Production';
  description: string;
}

export interface StartedThread {
  channel: string;
  threadTs: string;
  /** `Date.now()` when "Create app" was acknowledged. */
  confirmedAt: number;
}

type View = Record<string, unknown>;
interface Option {
  value?: unknown;
  text?: { text?: unknown };
}
interface InputBlock {
  type?: unknown;
  block_id?: unknown;
  label?: { text?: unknown };
  element?: { options?: Option[]; initial_options?: Option[]; initial_option?: Option };
}

const viewTitle = (view: View) => String((view.title as { text?: unknown } | undefined)?.text ?? '?');
const submitLabel = (view: View) => String((view.submit as { text?: unknown } | undefined)?.text ?? '');
const inputBlocks = (view: View) =>
  ((view.blocks as InputBlock[] | undefined) ?? []).filter((b) => b.type === 'input');
const values = (options: Option[] | undefined) => (options ?? []).map((o) => String(o.value));

/** What an untouched field sends: its initial options (Slack submits what the user sees selected). */
function initialValues(view: View, blockId: string): string[] {
  const block = inputBlocks(view).find((b) => b.block_id === blockId);
  return values(block?.element?.initial_options);
}

export async function playSlack(input: {
  world: DemoWorld;
  term: Terminal;
  names: Record<string, string>;
  choices: FormChoices;
  signal: AbortSignal;
}): Promise<StartedThread> {
  const { world, term, names, choices, signal } = input;
  const { slack, botUrl, signingSecret } = world;
  const { style } = term;
  const render = (text: string) => renderMrkdwn(text, style, names);
  const post = (body: string) => postToBot(botUrl, body, { secret: signingSecret });
  const ackLine = (answer: SlackPost, what: string) =>
    style.dim(`→ HTTP ${answer.status} ${what} in ${answer.ms.toFixed(0)} ms`);
  const indent = '      ';

  term.line(style.bold('Slack → bot') + style.dim(`  (signed requests to ${botUrl}/slack/events)`));

  // 1. /migrate
  const opensBefore = slack.views().filter((v) => v.kind === 'open').length;
  const command = await post(commandBody({ userId: ADMIN, channelId: CHANNEL, teamId: slack.teamId }));
  term.line(
    `  /migrate  by ${style.bold(`@${names[ADMIN] ?? ADMIN}`)} in #general  ${ackLine(command, 'ack')}`,
  );
  if (command.status !== 200) throw new DemoFailure(`the bot answered /migrate with HTTP ${command.status}`);
  const opened = await waitFor(
    'the bot to open the form (views.open)',
    () => slack.views().filter((v) => v.kind === 'open')[opensBefore],
    { timeoutMs: 10_000, signal },
  );
  const form = opened.view;
  term.line(`  views.open  "${viewTitle(form)}"  ${style.dim(`(${opened.viewId})`)}`);
  for (const block of inputBlocks(form)) {
    const options = block.element?.options;
    const shown = options ? `: ${options.map((o) => String(o.text?.text ?? o.value)).join(' | ')}` : '';
    term.line(style.dim(`${indent}${String(block.label?.text ?? block.block_id)}${shown}`), `${indent}  `);
  }

  // 2. The form, filled in; options left as they are.
  const options = initialValues(form, BLOCK.options);
  const providers = initialValues(form, BLOCK.providers);
  const v2 = world.registry.v2(choices.v2AppId);
  const v3 = world.registry.v3(choices.v3AppId);
  const submitted = await post(
    viewSubmission({
      userId: ADMIN,
      teamId: slack.teamId,
      view: {
        id: opened.viewId,
        callback_id: String(form.callback_id),
        private_metadata: String(form.private_metadata ?? ''),
      },
      values: formValues({ ...choices, options, providers }),
    }),
  );
  term.line(
    `  submit form  ${v2?.name ?? choices.v2AppId} → ${v3?.name ?? choices.v3AppId}, title "${choices.title}", ${choices.environment}, options left as they are  ${ackLine(submitted, 'ack')}`,
    indent,
  );
  const answer = submitted.json as { response_action?: string; view?: View; errors?: Record<string, string> };
  if (answer?.response_action === 'errors')
    throw new DemoFailure(`the form was refused: ${Object.values(answer.errors ?? {}).join('; ')}`);
  if (answer?.response_action !== 'push' || !answer.view)
    throw new DemoFailure(
      `expected the confirm view (push), got: ${submitted.text.slice(0, 200) || 'an empty ack'}`,
    );
  const confirm = answer.view;
  term.line(`  push  "${viewTitle(confirm)}"  [${submitLabel(confirm)}]`);
  for (const line of capBullets(messageSource(confirm as { blocks?: unknown[] }), 6))
    term.line(`${indent}${style.dim(render(line))}`, `${indent}   `);
  if (submitLabel(confirm) !== 'Create app')
    throw new DemoFailure(`the confirm view's button says "${submitLabel(confirm)}", not "Create app"`);

  // 3. A plan first (plan-step.ts); its Migrate now opens the confirm view submitted below.
  const toSubmit = await runPlanStep({
    world,
    term,
    names,
    signal,
    admin: ADMIN,
    channel: CHANNEL,
    modalId: opened.viewId,
    confirm,
  });

  // 4. "Create app"
  const dm = slack.dmChannelFor(ADMIN);
  const before = slack.messages(CHANNEL).length;
  const dmsBefore = slack.messages(dm).length;
  const created = await post(
    viewSubmission({
      userId: ADMIN,
      teamId: slack.teamId,
      view: {
        callback_id: String(toSubmit.callback_id),
        private_metadata: String(toSubmit.private_metadata ?? ''),
      },
      values: {},
    }),
  );
  const confirmedAt = Date.now();
  const closed = created.json as { response_action?: string; view?: View } | undefined;
  term.line(
    `  submit "Create app"  ${ackLine(created, `response_action: ${closed?.response_action ?? 'none'}`)}`,
  );
  if (closed?.response_action !== 'clear') {
    const notice = closed?.view
      ? messageSource(closed.view as { blocks?: unknown[] }).join(' ')
      : created.text;
    throw new DemoFailure(`nothing was started: ${render(notice).slice(0, 300)}`);
  }

  const parent = await waitFor(
    'the thread to start in #general',
    () => {
      const direct = slack.messages(dm)[dmsBefore];
      if (direct) throw new DemoFailure(`the bot could not start the thread: ${render(direct.text)}`);
      return slack.messages(CHANNEL)[before];
    },
    { timeoutMs: 10_000, signal },
  );
  term.line();
  return { channel: CHANNEL, threadTs: parent.ts, confirmedAt };
}
