/**
 * The demo's second admin: the migration is tagged Production, which needs a second admin's approval
 * (MIGRATE_APPROVAL_ENVIRONMENTS, default Production). The parent message shows Approve and Reject;
 * another admin presses Approve (a signed block_actions request, as Slack sends it) and the run starts.
 */

import { ACTION } from '../../src/slack/ids.js';
import { buttonClick, postToBot } from '../../testkit/slack-sim/driver.js';
import type { StartedThread } from './drive.js';
import { messageSource, renderMrkdwn, type Terminal } from './print.js';
import type { DemoWorld } from './setup.js';
import { DemoFailure, waitFor } from './wait.js';

export const SECOND_ADMIN = 'U_OWNER';

export async function approveAsSecondAdmin(input: {
  world: DemoWorld;
  term: Terminal;
  names: Record<string, string>;
  thread: StartedThread;
  signal: AbortSignal;
}): Promise<void> {
  const { world, term, names, thread, signal } = input;
  const { slack } = world;
  const { style } = term;
  const render = (text: string) => renderMrkdwn(text, style, names);
  const parentOf = () => slack.messages(thread.channel).find((m) => m.ts === thread.threadTs);
  const parent = parentOf();
  const blocks = JSON.stringify(parent?.blocks ?? []);
  if (!blocks.includes(ACTION.approve)) return; // no approval step for this environment
  const migrationId = /"value":"(mig_[a-z0-9]+)"/.exec(blocks)?.[1];
  if (!migrationId) throw new DemoFailure('the parent message has an Approve button without a migration id');

  term.line(style.bold('Second admin'));
  for (const line of messageSource(parent ?? {}).slice(0, 3))
    term.line(`  ${style.dim(render(line))}`, '    ');
  const clicked = await postToBot(
    world.botUrl,
    buttonClick({
      userId: SECOND_ADMIN,
      teamId: slack.teamId,
      channelId: thread.channel,
      messageTs: thread.threadTs,
      actionId: ACTION.approve,
      value: migrationId,
      responseUrl: slack.issueResponseUrl({
        channel: thread.channel,
        user: SECOND_ADMIN,
        messageTs: thread.threadTs,
      }),
    }),
    { secret: world.signingSecret },
  );
  term.line(
    `  ${style.bold(`@${names[SECOND_ADMIN] ?? SECOND_ADMIN}`)} presses Approve  ${style.dim(`→ HTTP ${clicked.status} ack in ${clicked.ms.toFixed(0)} ms`)}`,
  );
  const approved = await waitFor(
    'the approval in the thread',
    () => slack.thread(thread.channel, thread.threadTs).find((m) => m.text.includes('Approved by')),
    { timeoutMs: 10_000, signal },
  );
  term.line(`  ${render(approved.text)}`, '    ');
  term.line();
}
