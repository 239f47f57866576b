import { afterEach, describe, expect, it } from 'vitest';
import { DESCRIPTION_MAX, TITLE_MAX } from '../../src/migration/request.js';
import type { LengthUnit } from '../../testkit/slack-sim/index.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V3_APP } from '../helpers/worker-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Astral emoji (2 UTF-16 units, 1 code point each) and letters with combining marks (2 code points). */
const TITLE = `${'🦊'.repeat(20)}${'e\u0301'.repeat(12)}`;
const DESCRIPTION = `${'🚀'.repeat(200)}${'a\u0308'.repeat(50)}`;
/** The longest app name the apps file takes (75 UTF-16 units): with its markers, too long for a label. */
const LONG_APP_NAME = `${'🦊'.repeat(37)}x`;

/** Errors a length over Slack's limits would bring, from the Web API or a response URL. */
const LENGTH_ERRORS = ['invalid_blocks', 'invalid_arguments', 'msg_too_long'];

/** The label of the option with this value, wherever it is in a view. */
function optionLabel(view: unknown, value: string): string {
  const found = JSON.stringify(view).match(
    new RegExp(`"text":\\{"type":"plain_text","text":"([^"]*)"[^}]*\\},"value":"${value}"`),
  );
  if (!found?.[1]) throw new Error(`no option ${value} in the view`);
  return found[1];
}

describe('text made of emoji and combining marks, whichever way Slack counts characters', () => {
  it.each<LengthUnit>(['utf16', 'code_points'])(
    'goes through form → confirm → thread with no refusal when Slack counts in %s',
    async (lengthUnit) => {
      // The longest title and description the form takes, in UTF-16 units (the stricter reading).
      expect([TITLE.length, DESCRIPTION.length]).toEqual([TITLE_MAX, DESCRIPTION_MAX]);
      stack = await startStack({
        accounts: 5,
        slack: { lengthUnit },
        extraApps: {
          v2: [`{id: v2-emoji, name: "${LONG_APP_NAME}", region: us, client_secret: emoji-secret}`],
        },
      });
      const s = stack;

      // One emoji more is refused inline, saying why the count is higher than what the admin sees.
      const opensBefore = s.opensSoFar();
      await s.command('U_ADMIN');
      const form = await s.openedView(opensBefore);
      // The app's label in the form is cut to Slack's 75 (views.open checked it as the stand-in counts),
      // between emoji, its markers intact.
      const label = optionLabel(form.view, 'v2-emoji');
      expect(label).toMatch(/^(🦊)+… · US · Legacy$/u);
      expect(label.length).toBeLessThanOrEqual(75);
      const tooLong = await s.submitForm(
        'U_ADMIN',
        { v2AppId: V2_APP.clientId, v3AppId: V3_APP.applicationId, title: `${TITLE}🦊` },
        form,
      );
      expect(tooLong.json).toEqual({
        response_action: 'errors',
        errors: {
          title: `Keep the title to ${TITLE_MAX} characters or fewer (it has ${TITLE_MAX + 2}; emoji and some symbols count as two)`,
        },
      });

      // The stack's checks refuse a pushed view Slack would refuse (as the stand-in counts).
      const { confirmView } = await s.startMigration('U_ADMIN', { title: TITLE, description: DESCRIPTION });
      expect(JSON.stringify(confirmView.blocks)).toContain(TITLE);
      expect(JSON.stringify(confirmView.blocks)).toContain(DESCRIPTION);

      const record = await s.waitForRecord();
      expect(record.status).toBe('completed');
      expect(record.request.title).toBe(TITLE);
      const parent = s.slack.messages('C_GENERAL').find((m) => m.text.startsWith('Migration "'));
      if (parent === undefined) throw new Error('no parent message');
      expect(JSON.stringify(parent.blocks)).toContain(TITLE);
      await s.waitFor('the summary', () =>
        s.slack.thread('C_GENERAL', parent.ts).find((m) => m.text.startsWith('Migration finished')),
      );
      await s.waitFor('the CSV in the thread', () => s.slack.files('C_GENERAL', parent.ts)[0]);

      // Nothing the bot sent was refused for its length, by the Web API or a response URL.
      const refused = s.slack.calls().filter((call) => LENGTH_ERRORS.includes(call.error ?? ''));
      expect(refused).toEqual([]);
      expect(s.slack.responses().filter((response) => response.outcome === 'refused')).toEqual([]);
    },
  );
});
