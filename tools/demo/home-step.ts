/**
 * The demo's last step: the admin opens the bot's App Home tab (Slack posts `app_home_opened`, signed,
 * to the bot), and the Home the bot published with views.publish is printed as text and saved.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appHomeOpenedEvent, eventCallbackPayload, postEventToBot } from '../../testkit/slack-sim/driver.js';
import { viewText } from '../../testkit/slack-sim/index.js';
import { ADMIN } from './drive.js';
import type { Terminal } from './print.js';
import type { DemoWorld } from './setup.js';
import { DemoFailure, waitFor } from './wait.js';

/** Slack ids in the view's text (`@U_ADMIN`, `#C_GENERAL`) → the names the Slack client shows. */
function withNames(text: string, names: Record<string, string>): string {
  return text.replace(/([@#])([A-Z][A-Z0-9_]+)/g, (whole, sign: string, id: string) =>
    names[id] ? `${sign}${names[id]}` : whole,
  );
}

export async function showHomeTab(input: {
  world: DemoWorld;
  term: Terminal;
  names: Record<string, string>;
  outDir: string;
  signal: AbortSignal;
  /** The migration the Home must show, finished, before it is printed. */
  migrationId: string;
}): Promise<string> {
  const { world, term, names, signal } = input;
  const { style } = term;
  const opened = await postEventToBot(
    world.botUrl,
    eventCallbackPayload({ teamId: world.slack.teamId, event: appHomeOpenedEvent(ADMIN) }),
    { secret: world.signingSecret },
  );
  if (opened.status !== 200)
    throw new DemoFailure(`the bot answered app_home_opened with HTTP ${opened.status}`);
  const view = await waitFor(
    'the App Home (views.publish)',
    () => {
      const home = world.slack.homeView(ADMIN);
      return home && JSON.stringify(home).includes(input.migrationId) ? home : undefined;
    },
    { timeoutMs: 15_000, signal },
  );
  const text = withNames(viewText(view), names);
  term.line(
    style.bold('App Home') +
      style.dim(
        `  (@${names[ADMIN] ?? ADMIN} opened the bot's Home tab; views.publish, ${(view.blocks as unknown[]).length} blocks)`,
      ),
  );
  for (const line of text.split('\n')) term.line(`  ${style.dim('│')} ${line}`, '    ');
  const path = join(input.outDir, 'home.txt');
  await writeFile(path, `${text}\n`);
  return path;
}
