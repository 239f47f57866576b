import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION_MISMATCH_MESSAGE } from '../../src/config/regions.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V2_OTHER, V3_APP } from '../helpers/worker-harness.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ accounts: 300, nylas: { latencyMs: 30 }, ratePerSecond: 30 });
});
afterAll(async () => {
  await stack.close();
});

type Answer = { response_action?: string; errors?: Record<string, string>; view?: Record<string, unknown> };

async function openForm() {
  const before = stack.opensSoFar();
  await stack.command('U_ADMIN');
  return stack.openedView(before);
}

describe('/migrate and its form', () => {
  it('opens the form with the contract’s labels, Legacy v2 apps and the three environments', async () => {
    const { view } = await openForm();
    const blocks = view.blocks as Array<{
      block_id: string;
      label?: { text: string };
      element?: { options?: Array<{ text: { text: string }; value: string }> };
    }>;
    const labels = blocks.map((b) => b.label?.text ?? '');
    for (const word of ['v2 application', 'v3 application', 'Title', 'Environment', 'Description']) {
      expect(labels.some((label) => label.includes(word))).toBe(true);
    }
    const environment = blocks.find((b) => b.block_id === 'environment');
    expect(environment?.element?.options?.map((o) => o.text.text)).toEqual([
      'Development',
      'Staging',
      'Production',
    ]);
    const v2 = blocks.find((b) => b.block_id === 'v2_app');
    expect(v2?.element?.options?.map((o) => o.value)).toEqual([V2_APP.clientId, V2_OTHER.clientId]);
    for (const option of v2?.element?.options ?? []) expect(option.text.text).toContain('Legacy');
  });

  it('a trigger id that expired before the bot used it: the admin is told where they typed, nothing opens', async () => {
    const before = stack.opensSoFar();
    await stack.command('U_ADMIN', '', 'C_GENERAL', {
      triggerId: stack.slack.issueTriggerId({ ageMs: 3_100 }),
    });
    const notice = await stack.waitFor('the notice', () => stack.responsesTo('U_ADMIN').at(-1));
    expect(notice).toMatchObject({ channel: 'C_GENERAL', outcome: 'ephemeral' });
    expect(notice.body.text).toBe('Slack did not let me open the form in time; please type /migrate again.');
    expect(stack.opensSoFar()).toBe(before);
    expect(stack.slack.calls('views.open').at(-1)).toMatchObject({ ok: false, error: 'expired_trigger_id' });
  });

  it('answers help, unknown text and status without an error', async () => {
    const help = (await stack.command('U_MEMBER', 'help')).json as { text: string };
    expect(help.text).toContain('/migrate status');
    const unknown = (await stack.command('U_ADMIN', 'please migrate everything')).json as { text: string };
    expect(unknown.text).toBe(help.text);
    const status = (await stack.command('U_ADMIN', 'status')).json as { text: string };
    expect(status.text).toMatch(/running|No migrations yet/);
  });

  it('shows inline errors: empty title, too long a title, regions that differ', async () => {
    const view = await openForm();
    const empty = (
      await stack.submitForm(
        'U_ADMIN',
        { v2AppId: V2_APP.clientId, v3AppId: V3_APP.applicationId, title: '   ' },
        view,
      )
    ).json as Answer;
    expect(empty).toEqual({
      response_action: 'errors',
      errors: { title: 'Enter a title (1 to 64 characters)' },
    });
    const long = (
      await stack.submitForm(
        'U_ADMIN',
        { v2AppId: V2_APP.clientId, v3AppId: V3_APP.applicationId, title: 'x'.repeat(65) },
        view,
      )
    ).json as Answer;
    expect(long.errors?.title).toMatch(/64 characters or fewer/);
    const region = (
      await stack.submitForm(
        'U_ADMIN',
        { v2AppId: V2_APP.clientId, v3AppId: 'v3-eu', title: 'EU move' },
        view,
      )
    ).json as Answer;
    expect(region).toEqual({ response_action: 'errors', errors: { v3_app: REGION_MISMATCH_MESSAGE } });
    const forged = (
      await stack.submitForm(
        'U_ADMIN',
        { v2AppId: 'v2-unknown', v3AppId: V3_APP.applicationId, title: 'x' },
        view,
      )
    ).json as Answer;
    expect(forged.errors?.v2_app).toBe('Unknown v2 application');
    expect(stack.nylas.counters().requests).toEqual({}); // nothing reached Nylas
  });

  it('confirms with a "Create app" view, then refuses a second migration of the same apps with a link to the thread', async () => {
    const { confirmView, confirm } = await stack.startMigration('U_ADMIN', {
      environment: 'Development',
      description: 'First run',
    });
    expect((confirmView.submit as { text: string }).text).toBe('Create app');
    expect(JSON.stringify(confirmView.blocks)).toContain('region *US*');
    expect(confirm.json).toEqual({ response_action: 'clear' });
    const running = await stack.waitForRecord(['queued', 'running']);
    const thread = running.request.slack;
    expect(thread?.threadTs).toBeTruthy();

    const view = await openForm();
    const v2Select = (
      view.view.blocks as Array<{
        block_id: string;
        element?: { options?: Array<{ text: { text: string }; value: string }> };
      }>
    ).find((b) => b.block_id === 'v2_app');
    expect(v2Select?.element?.options?.find((o) => o.value === V2_APP.clientId)?.text.text).toContain(
      'migration running',
    );
    const busy = (
      await stack.submitForm(
        'U_ADMIN',
        { v2AppId: V2_APP.clientId, v3AppId: 'v3-other', title: 'Again' },
        view,
      )
    ).json as Answer;
    expect(busy.errors?.v2_app).toBe(
      `A migration of this v2 application is already running: ${stack.slack.url}/archives/${thread?.channel}/p${thread?.threadTs?.replace('.', '')}`,
    );
    const busyV3 = (
      await stack.submitForm(
        'U_ADMIN',
        { v2AppId: V2_OTHER.clientId, v3AppId: V3_APP.applicationId, title: 'Again' },
        view,
      )
    ).json as Answer;
    expect(busyV3.errors?.v3_app).toMatch(/^A migration into this v3 application is already running/);

    const status = (await stack.command('U_ADMIN', 'status')).json as { text: string; blocks: unknown[] };
    expect(JSON.stringify(status.blocks)).toContain('Acme on v3');
    expect(JSON.stringify(status.blocks)).toContain(`${stack.slack.url}/archives/${thread?.channel}/p`);

    const done = await stack.waitForRecord(['completed', 'failed', 'cancelled']);
    expect(done.status).toBe('completed');
    // Development has no API value: sent as staging, kept as Development in our record.
    expect(stack.nylas.application(V3_APP.applicationId).environment).toBe('staging');
    expect(done.request.environment).toBe('Development');

    // The v3 app is now known to be linked to this v2 app: another v2 app is refused inline.
    const next = await openForm();
    const linked = (
      await stack.submitForm(
        'U_ADMIN',
        { v2AppId: V2_OTHER.clientId, v3AppId: V3_APP.applicationId, title: 'Other' },
        next,
      )
    ).json as Answer;
    expect(linked.errors?.v3_app).toBe(
      `This v3 application is already linked to another v2 application (${V2_APP.clientId}); choose another v3 application`,
    );
  });
});
