import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';
import { simClient, slackError } from './slack-client.js';

let sim: SlackSim;

beforeAll(async () => {
  sim = await startSlackSim();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const view = (title: string) => ({
  type: 'modal' as const,
  callback_id: 'migrate',
  title: plain(title),
  close: plain('Close'),
  private_metadata: '{"app":"app-1"}',
  blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: title } }],
});

describe('views.open / update / push', () => {
  it('opens a modal, then updates it by id with its hash', async () => {
    const client = simClient(sim);
    const triggerId = sim.issueTriggerId();
    const opened = await client.views.open({ trigger_id: triggerId, view: view('Checking…') });
    const id = opened.view?.id as string;
    expect(opened.view).toMatchObject({
      id,
      callback_id: 'migrate',
      private_metadata: '{"app":"app-1"}',
      state: { values: {} },
    });

    const updated = await client.views.update({
      view_id: id,
      hash: opened.view?.hash as string,
      view: view('Ready'),
    });
    expect(updated.view?.id).toBe(id);
    expect(sim.view(id)).toMatchObject({ title: plain('Ready') });
    // The old hash is stale now: a second writer loses.
    expect(
      await slackError(
        client.views.update({ view_id: id, hash: opened.view?.hash as string, view: view('Late') }),
      ),
    ).toBe('hash_conflict');
    expect(await slackError(client.views.update({ view_id: 'V_NOPE', view: view('x') }))).toBe('not_found');

    const pushed = await client.views.push({ trigger_id: sim.issueTriggerId(), view: view('Confirm') });
    expect(sim.views().map((e) => [e.kind, e.viewId])).toEqual([
      ['open', id],
      ['update', id],
      ['push', pushed.view?.id],
    ]);
    expect(sim.views()[0]?.triggerId).toBe(triggerId);
  });

  it('lets a trigger id work once', async () => {
    const client = simClient(sim);
    const triggerId = sim.issueTriggerId();
    await client.views.open({ trigger_id: triggerId, view: view('One') });
    expect(await slackError(client.views.open({ trigger_id: triggerId, view: view('Two') }))).toBe(
      'exchanged_trigger_id',
    );
    expect(sim.views()).toHaveLength(1);
  });

  it('refuses a trigger id older than 3 s', async () => {
    const expired = sim.issueTriggerId({ ageMs: 3_100 });
    expect(await slackError(simClient(sim).views.open({ trigger_id: expired, view: view('Late') }))).toBe(
      'expired_trigger_id',
    );
    expect(sim.views()).toEqual([]);
  });

  it('accepts unknown trigger ids unless strict, and never an empty one', async () => {
    const client = simClient(sim);
    await client.views.open({ trigger_id: 'from-a-test-payload', view: view('Lenient') });
    expect(await slackError(client.views.open({ trigger_id: '', view: view('Empty') }))).toBe(
      'invalid_arguments',
    );
    const strict = await startSlackSim({ strictTriggers: true });
    try {
      const strictClient = simClient(strict);
      expect(await slackError(strictClient.views.open({ trigger_id: 'made-up', view: view('Strict') }))).toBe(
        'invalid_trigger_id',
      );
      await strictClient.views.open({ trigger_id: strict.issueTriggerId(), view: view('Issued') });
      expect(strict.views()).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });

  it('does not spend the trigger on a view Slack refuses', async () => {
    const client = simClient(sim);
    const triggerId = sim.issueTriggerId();
    expect(await slackError(client.views.open({ trigger_id: triggerId, view: view('t'.repeat(25)) }))).toBe(
      'invalid_arguments',
    );
    await client.views.open({ trigger_id: triggerId, view: view('Fixed') });
    expect(sim.views()).toHaveLength(1);
  });
});
