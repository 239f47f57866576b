import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V3_APP } from '../helpers/worker-harness.js';

/** 148 more apps of each kind, so the registry holds 150 of each (Slack's static_select stops at 100). */
const pad = (n: number) => String(n).padStart(3, '0');
const FILLERS = Array.from({ length: 148 }, (_, i) => pad(i + 1));
const extraApps = {
  v2: FILLERS.map(
    (n) => `{id: v2-filler-${n}, name: "Filler ${n} & <Co>", region: us, client_secret: s-${n}}`,
  ),
  v3: FILLERS.map((n) => `{id: v3-filler-${n}, name: "Target ${n}", region: us, api_key: k-${n}}`),
};

let stack: Stack;
beforeAll(async () => {
  // A run of 200 accounts at 30/s lasts seconds: long enough to see it marked as running.
  stack = await startStack({ accounts: 200, nylas: { latencyMs: 30 }, ratePerSecond: 30, extraApps });
});
afterAll(async () => {
  await stack.close();
});

type Block = { block_id: string; element?: { type: string; options?: unknown[]; min_query_length?: number } };

async function openForm(userId = 'U_ADMIN') {
  const before = stack.opensSoFar();
  await stack.command(userId);
  return stack.openedView(before);
}

describe('more than 100 registered apps', () => {
  it('the form asks Slack for options as the admin types (external_select), instead of cutting the list', async () => {
    const form = await openForm();
    const blocks = form.view.blocks as Block[];
    for (const id of ['v2_app', 'v3_app']) {
      const element = blocks.find((b) => b.block_id === id)?.element;
      expect(element).toMatchObject({ type: 'external_select', min_query_length: 0 });
      expect(element?.options).toBeUndefined();
    }
    // Nothing typed yet: the first 100, labelled as in the static list.
    const first = await stack.loadOptions('U_ADMIN', 'v2', '', form);
    expect(first).toHaveLength(100);
    expect(first[0]).toEqual({
      text: { type: 'plain_text', text: 'Acme v2 · US · Legacy', emoji: true },
      value: V2_APP.clientId,
    });
  });

  it('every one of the 150 v2 and 150 v3 apps can be found and chosen', async () => {
    const form = await openForm();
    const v2Ids = stack.registry.v2Apps.map((app) => app.id);
    const v3Ids = stack.registry.v3Apps.map((app) => app.id);
    expect(v2Ids).toHaveLength(150);
    expect(v3Ids.length).toBeGreaterThanOrEqual(150);
    for (const app of stack.registry.v2Apps) {
      const options = await stack.loadOptions('U_ADMIN', 'v2', app.name, form);
      expect(options.map((o) => o.value)).toContain(app.id);
      const chosen = (
        await stack.submitForm(
          'U_ADMIN',
          { v2AppId: app.id, v3AppId: V3_APP.applicationId, title: `Move ${app.id}` },
          form,
        )
      ).json as { response_action: string };
      expect(chosen.response_action).toBe('push');
    }
    for (const app of stack.registry.v3Apps.filter((a) => a.region === 'us')) {
      const options = await stack.loadOptions('U_ADMIN', 'v3', app.id, form);
      expect(options.map((o) => o.value)).toEqual([app.id]);
      const chosen = (
        await stack.submitForm(
          'U_ADMIN',
          { v2AppId: V2_APP.clientId, v3AppId: app.id, title: `Into ${app.id}` },
          form,
        )
      ).json as { response_action: string };
      expect(chosen.response_action).toBe('push');
    }
  });

  it('type-ahead narrows by name or id, any case; the last app is reachable', async () => {
    const form = await openForm();
    const byName = await stack.loadOptions('U_ADMIN', 'v2', 'filler 148', form);
    expect(byName.map((o) => o.value)).toEqual(['v2-filler-148']);
    expect(byName[0]?.text.text).toBe('Filler 148 & <Co> · US · Legacy');
    expect(await stack.loadOptions('U_ADMIN', 'v2', 'nothing like this', form)).toEqual([]);
  });

  it('a non-admin gets no options at all, and it is audited', async () => {
    const form = await openForm();
    expect(await stack.loadOptions('U_MEMBER', 'v2', '', form)).toEqual([]);
    expect(stack.audits().at(-1)).toMatchObject({
      who: 'U_MEMBER',
      what: 'form.options',
      outcome: 'refused',
    });
  });

  it('marks an app with a running migration in its option', async () => {
    await stack.startMigration('U_ADMIN');
    await stack.waitForRecord(['running']);
    const form = await openForm();
    const options = await stack.loadOptions('U_ADMIN', 'v2', 'Acme', form);
    expect(options.find((o) => o.value === V2_APP.clientId)?.text.text).toBe(
      'Acme v2 · US · Legacy · migration running',
    );
    expect((await stack.waitForRecord()).status).toBe('completed');
  });
});
