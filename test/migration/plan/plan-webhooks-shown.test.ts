import { describe, expect, it } from 'vitest';
import { maskedCallbackUrl, webhookRows } from '../../../src/migration/plan/plan-findings.js';
import type { PlanReport } from '../../../src/migration/plan/plan-report.js';
import { emptyCounts } from '../../../src/migration/progress.js';
import { planMessages } from '../../../src/slack/views/plan-messages.js';

/** A plan's report with these webhook rows and nothing else of note. */
function reportWith(webhooks: PlanReport['webhooks'], extra: Partial<PlanReport> = {}): PlanReport {
  return {
    total: 0,
    counts: emptyCounts(),
    byProvider: {},
    byRule: {},
    connectorTodo: [],
    connectorsAfterImport: [],
    redirectUris: [],
    webhooks,
    alreadyLinked: false,
    existingGrants: 0,
    migrationCalls: { link: 1, import: 1, clones: 0 },
    readCalls: 0,
    ratePerSecond: 20,
    estimatedSeconds: 1,
    ...extra,
  };
}

const threadText = (report: PlanReport) =>
  planMessages('mig_test', { kind: 'planned', report })
    .map((m) => JSON.stringify(m.blocks))
    .join('\n');

describe('v2 webhooks in a plan’s thread', () => {
  it('show where a callback points, never the secret in its path or query, and escape what Nylas sent', () => {
    const rows = webhookRows([
      {
        id: 'wh_1',
        callback_url: 'https://hooks.slack.com/services/T0001/B0002/SeCrEtToKeN123?x=<b>&y=1',
        state: 'active',
        triggers: ['account.connected'],
      },
      {
        id: 'wh_2',
        callback_url: 'https://user:pa55@hooks.zapier.com/hooks/catch/123/KeyZap<9>&z',
        state: 'failing<&>',
        triggers: ['message.<created>&'],
      },
      // `new URL` refuses it (a space in the host): the fallback masks and is escaped too.
      {
        id: 'wh_3',
        callback_url: 'https://bad host<&>/hook/FallbackSecret',
        state: 'active',
        triggers: ['thread.replied'],
      },
    ] as never);
    expect(rows.map((r) => r.callbackUrl)).toEqual([
      'https://hooks.slack.com/…',
      'https://hooks.zapier.com/…',
      'https://bad host<&>/…',
    ]);
    const text = threadText(
      reportWith(rows, {
        connectorsAfterImport: ['google', 'evil<@U1>&'],
        byProvider: { 'gmail<x>': { migrated: 1 } },
      }),
    );
    for (const secret of ['SeCrEtToKeN123', 'KeyZap', 'pa55', 'FallbackSecret', 'services/T0001'])
      expect(text).not.toContain(secret);
    // Slack reads a raw `<` as the start of a link or mention, `&` as an entity.
    expect(text).not.toMatch(/<|&(?!amp;|lt;|gt;)/);
    expect(text).toContain('https://hooks.slack.com/…');
    expect(text).toContain('failing&lt;&amp;&gt;');
    expect(text).toContain('evil&lt;@U1&gt;&amp;');
    expect(text).toContain('gmail&lt;x&gt;');
  });

  it('keeps an origin alone as it is and says when a callback is no URL at all', () => {
    expect(maskedCallbackUrl('https://hooks.example.com')).toBe('https://hooks.example.com');
    expect(maskedCallbackUrl('https://hooks.example.com/')).toBe('https://hooks.example.com');
    expect(maskedCallbackUrl('not a url /with/secret')).toBe('(not a readable URL)');
  });
});

describe('the webhooks table of a plan', () => {
  it('fits Slack’s 3000-character section: the code block stays closed and says how many more', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({
      callbackUrl: `https://webhooks-${i}.customer-integration.example.com/…`,
      state: 'active',
      v2Trigger: 'account.running',
      v3Trigger: undefined,
      note: 'watch grant.updated / grant.expired instead',
    }));
    const messages = planMessages('mig_test', { kind: 'planned', report: reportWith(rows) });
    const webhooks = messages.find((m) => m.text.includes('webhook triggers'));
    if (!webhooks) throw new Error('no webhooks message');
    const table = (webhooks.blocks[1] as { text: { text: string } }).text.text;
    expect(table.length).toBeLessThanOrEqual(3000);
    const match = /^```\n([\s\S]*)\n```\n…and (\d+) more$/.exec(table);
    expect(match).not.toBeNull();
    const shownRows = (match?.[1] ?? '').split('\n').length - 2; // header and its rule
    expect(shownRows).toBeGreaterThan(10);
    expect(shownRows + Number(match?.[2])).toBe(60);
  });
});
