import { describe, expect, it } from 'vitest';
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import { formView } from '../../src/slack/views/form-view.js';
import { parentMessage } from '../../src/slack/views/parent-message.js';
import { MESSAGE_TEXT_MAX, messageText, truncate, truncateMrkdwn } from '../../src/slack/views/text.js';
import { eventMessage } from '../../src/slack/views/thread-messages.js';
import { validateMessageBlocks, validateModalView } from '../../testkit/slack-sim/index.js';

/** A lone surrogate: half of a character, which Slack would show as garbage or refuse. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const codePoints = (text: string) => [...text].length;

describe('truncating by characters', () => {
  it('never splits a surrogate pair, and fits whether Slack counts code points or UTF-16 units', () => {
    for (const text of ['🦊'.repeat(80), `a${'🦊'.repeat(80)}`, `${'é'.repeat(70)}𝒳𝒳𝒳𝒳𝒳𝒳𝒳𝒳`]) {
      const cut = truncate(text, 75);
      expect(cut).not.toMatch(LONE_SURROGATE);
      expect(cut.endsWith('…')).toBe(true);
      expect(cut.length).toBeLessThanOrEqual(75);
      expect(codePoints(cut)).toBeLessThanOrEqual(75);
    }
    expect(truncate('short', 75)).toBe('short');
  });

  it('cuts a message text (a Nylas error of any length) to Slack’s 40,000, under both readings', () => {
    const cut = messageText('🦊'.repeat(30_000));
    expect(cut.length).toBeLessThanOrEqual(MESSAGE_TEXT_MAX);
    expect(cut).not.toMatch(LONE_SURROGATE);
    expect(cut.endsWith('…')).toBe(true);
    expect(messageText('short')).toBe('short');
  });

  it('never leaves half an escape or half a link in mrkdwn', () => {
    expect(truncateMrkdwn(`${'x'.repeat(8)}&amp;rest`, 11)).toBe(`${'x'.repeat(8)}…`);
    expect(truncateMrkdwn(`${'x'.repeat(5)}<https://example.com|a link>`, 20)).toBe(`${'x'.repeat(5)}…`);
  });

  it('keeps an app label of 37 emoji (74 UTF-16 units) within Slack’s 75 characters, markers intact', () => {
    const registry = parseAppsRegistry(
      `v2_apps: [{id: v2-a, name: "${'🦊'.repeat(37)}", region: us, client_secret: s}]\nv3_apps: [{id: v3-a, name: "R&D <v3>", region: us, api_key: k}]\n`,
      'test',
      {},
    );
    const view = formView({
      registry,
      busyV2: new Set(['v2-a']),
      busyV3: new Set(),
      metadata: { channel: 'C1' },
    });
    expect(validateModalView(view)).toEqual([]);
    const blocks = view.blocks as Array<{ element?: { options?: Array<{ text: { text: string } }> } }>;
    const v2Label = blocks[0]?.element?.options?.[0]?.text.text ?? '';
    expect(v2Label).toMatch(/… · US · Legacy · migration running$/u);
    expect(v2Label).not.toMatch(LONE_SURROGATE);
    // plain_text shows characters as they are: no escaping there.
    expect(blocks[1]?.element?.options?.[0]?.text.text).toBe('R&D <v3> · US');
  });
});

describe('escaping what people and apps typed', () => {
  const hostile = '<!channel> & <https://evil.example|click> <@U_ADMIN>';

  it('escapes the title in the parent message’s blocks and in its text fallback', () => {
    const message = parentMessage(
      {
        migrationId: 'mig_1',
        v2AppId: 'v2-a',
        v3AppId: 'v3-a',
        title: hostile,
        environment: 'Production',
        requestedBy: 'U_ADMIN',
        mode: 'all',
      },
      { v2Name: 'A & B', v3Name: '<C>', region: 'us' },
      { kind: 'failed', reason: 'Nylas said <b>no</b> & left' },
    );
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    expect(message.text).toBe(
      'Migration "&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; &lt;@U_ADMIN&gt;" (v2-a → v3-a): failed: Nylas said &lt;b&gt;no&lt;/b&gt; &amp; left',
    );
    const shown = JSON.stringify(message.blocks);
    expect(shown).not.toContain('<!channel>');
    expect(shown).toContain('A &amp; B');
    expect(shown).toContain('&lt;C&gt;');
  });

  it.each([
    { type: 'step_done' as const, step: 'setup' as const, text: hostile },
    { type: 'warning' as const, step: 'setup' as const, text: hostile },
    { type: 'milestone' as const, text: hostile },
    { type: 'failed' as const, step: 'setup' as const, reason: hostile },
  ])('escapes the $type reply, text fallback included', (event) => {
    const message = eventMessage('mig_1', event as never);
    expect(message.text).not.toMatch(/<!channel>|<https|<@U_ADMIN>/);
    expect(message.text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
  });
});
