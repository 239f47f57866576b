import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SlackSim, startSlackSim, validateMessageBlocks } from '../../testkit/slack-sim/index.js';
import { simClient } from './slack-client.js';

let sim: SlackSim;

beforeAll(async () => {
  sim = await startSlackSim();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

type Block = Record<string, unknown>;

const plain = (text: string) => ({ type: 'plain_text', text });
const section = (text: string, extra: Block = {}): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text },
  ...extra,
});
const option = (text: string, value: string) => ({ text: plain(text), value });
const button = (actionId: string, text = 'Go'): Block => ({
  type: 'button',
  action_id: actionId,
  text: plain(text),
});
const select = (options: unknown[], extra: Block = {}): Block => ({
  type: 'static_select',
  action_id: 'pick',
  placeholder: plain('Pick one'),
  options,
  ...extra,
});
const options = (n: number) => Array.from({ length: n }, (_, i) => option(`App ${i}`, `app-${i}`));
const input = (blockId: string, element: Block): Block => ({
  type: 'input',
  block_id: blockId,
  label: plain('Label'),
  element,
});
const modal = (extra: Block = {}): Block => ({
  type: 'modal',
  callback_id: 'migrate_confirm',
  title: plain('Migrate app'),
  submit: plain('Migrate'),
  close: plain('Cancel'),
  blocks: [
    input('app', select(options(3))),
    input('note', { type: 'plain_text_input', action_id: 'value', multiline: true }),
    input('when', { type: 'datepicker', action_id: 'value', initial_date: '2025-01-31' }),
  ],
  ...extra,
});

/** The messages of a refused call, or [] when it went through. */
async function refusal(call: Promise<unknown>, expectedError: string): Promise<string[]> {
  try {
    await call;
    return [];
  } catch (error) {
    const data = (error as { data?: { error?: string; response_metadata?: { messages?: string[] } } }).data;
    expect(data?.error).toBe(expectedError);
    return data?.response_metadata?.messages ?? [];
  }
}

const post = (blocks: unknown[]) =>
  refusal(
    simClient(sim).chat.postMessage({ channel: 'C_GENERAL', text: 'fallback', blocks: blocks as never }),
    'invalid_blocks',
  );
const open = (view: Block) =>
  refusal(
    simClient(sim).views.open({ trigger_id: sim.issueTriggerId(), view: view as never }),
    'invalid_arguments',
  );

describe('message blocks (chat.*: invalid_blocks)', () => {
  it.each<[string, unknown[], string]>([
    ['more than 50 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks]'],
    ['an unknown block type', [{ type: 'table_of_wonders' }], '/blocks/0/type]'],
    [
      'an unknown element type',
      [{ type: 'actions', elements: [{ type: 'slider', action_id: 'a' }] }],
      '/blocks/0/elements/0/type]',
    ],
    [
      'an element where it is not allowed',
      [{ type: 'actions', elements: [{ type: 'plain_text_input', action_id: 'a' }] }],
      '/blocks/0/elements/0/type]',
    ],
    [
      'a duplicate block_id',
      [section('a', { block_id: 'b1' }), section('b', { block_id: 'b1' })],
      '/blocks/1/block_id]',
    ],
    [
      'a duplicate action_id in a block',
      [{ type: 'actions', elements: [button('go'), button('go')] }],
      '/blocks/0/elements/1/action_id]',
    ],
    ['section text over 3000', [section('x'.repeat(3001))], '/blocks/0/text/text]'],
    ['empty section text', [section('')], '/blocks/0/text/text]'],
    ['header text over 150', [{ type: 'header', text: plain('h'.repeat(151)) }], '/blocks/0/text/text]'],
    [
      'mrkdwn in a header',
      [{ type: 'header', text: { type: 'mrkdwn', text: '*h*' } }],
      '/blocks/0/text/type]',
    ],
    [
      'button text over 75',
      [{ type: 'actions', elements: [button('go', 'b'.repeat(76))] }],
      '/blocks/0/elements/0/text/text]',
    ],
    [
      'more than 100 options',
      [section('s', { accessory: select(options(101)) })],
      '/blocks/0/accessory/options]',
    ],
    [
      'option text over 75',
      [section('s', { accessory: select([option('o'.repeat(76), 'v')]) })],
      '/blocks/0/accessory/options/0/text/text]',
    ],
    [
      'option value over 150',
      [section('s', { accessory: select([option('o', 'v'.repeat(151))]) })],
      '/blocks/0/accessory/options/0/value]',
    ],
    [
      'an initial_option not among the options',
      [section('s', { accessory: select(options(3), { initial_option: option('App 9', 'app-9') }) })],
      '/blocks/0/accessory/initial_option]',
    ],
    [
      'an initial_option whose text differs from the option’s',
      [section('s', { accessory: select(options(3), { initial_option: option('Renamed', 'app-1') }) })],
      '/blocks/0/accessory/initial_option]',
    ],
  ])('refuses %s', async (_name, blocks, pointer) => {
    const messages = await post(blocks);
    expect(messages.some((m) => m.startsWith('[ERROR]') && m.endsWith(pointer))).toBe(true);
    expect(sim.messages('C_GENERAL')).toEqual([]);
    expect(sim.calls('chat.postMessage')[0]).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });

  it('accepts what Slack accepts at the limits', async () => {
    const atLimits = [
      { type: 'header', text: plain('h'.repeat(150)) },
      section('x'.repeat(3000), {
        block_id: 'pick_block',
        accessory: select([...options(99), option('o'.repeat(75), 'v'.repeat(150))], {
          initial_option: option('App 1', 'app-1'),
        }),
      }),
      // The same action_id in different blocks is fine on Slack (only block_ids must be unique).
      { type: 'actions', elements: [button('go', 'b'.repeat(75)), button('stop')] },
      { type: 'actions', elements: [button('go')] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'c' }] },
      ...Array.from({ length: 45 }, () => ({ type: 'divider' })),
    ];
    expect(atLimits).toHaveLength(50);
    expect(await post(atLimits)).toEqual([]);
    expect(sim.messages('C_GENERAL')).toHaveLength(1);
  });

  it('refuses bad blocks on chat.update and chat.postEphemeral too', async () => {
    const client = simClient(sim);
    const { ts } = await client.chat.postMessage({ channel: 'C_GENERAL', text: 'ok' });
    const bad = [{ type: 'nope' }] as never;
    await refusal(
      client.chat.update({ channel: 'C_GENERAL', ts: ts as string, text: 'x', blocks: bad }),
      'invalid_blocks',
    );
    await refusal(
      client.chat.postEphemeral({ channel: 'C_GENERAL', user: 'U_MEMBER', text: 'x', blocks: bad }),
      'invalid_blocks',
    );
    expect(sim.messages('C_GENERAL')[0]?.text).toBe('ok');
    expect(sim.ephemerals()).toEqual([]);
  });

  it('refuses blocks that are not JSON with invalid_blocks_format', async () => {
    const res = await fetch(`${sim.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sim.botToken}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ channel: 'C_GENERAL', text: 't', blocks: '[{"type":' }).toString(),
    });
    expect(await res.json()).toEqual({ ok: false, error: 'invalid_blocks_format' });
  });

  it('reports every problem, in Slack’s message format', () => {
    expect(validateMessageBlocks([{ type: 'header', text: plain('') }, { type: 'mystery' }])).toEqual([
      '[ERROR] must be more than 0 characters [json-pointer:/blocks/0/text/text]',
      '[ERROR] unknown block type "mystery" [json-pointer:/blocks/1/type]',
    ]);
  });
});

describe('modal views (views.*: invalid_arguments)', () => {
  it.each<[string, Block, string]>([
    ['a title over 24', modal({ title: plain('t'.repeat(25)) }), '/view/title/text]'],
    ['a submit over 24', modal({ submit: plain('s'.repeat(25)) }), '/view/submit/text]'],
    ['a close over 24', modal({ close: plain('c'.repeat(25)) }), '/view/close/text]'],
    ['a missing title', modal({ title: undefined }), '/view/title]'],
    ['a missing type', modal({ type: undefined }), '/view/type]'],
    ['input blocks without submit', modal({ submit: undefined }), '/view/submit]'],
    ['private_metadata over 3000', modal({ private_metadata: 'm'.repeat(3001) }), '/view/private_metadata]'],
    ['callback_id over 255', modal({ callback_id: 'c'.repeat(256) }), '/view/callback_id]'],
    [
      'more than 100 blocks',
      modal({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }),
      '/view/blocks]',
    ],
    [
      'a duplicate block_id',
      modal({ blocks: [input('app', select(options(2))), input('app', select(options(2)))] }),
      '/view/blocks/1/block_id]',
    ],
    [
      'initial_options not among the options',
      modal({
        blocks: [
          input('apps', {
            type: 'multi_static_select',
            action_id: 'value',
            options: options(3),
            initial_options: [option('App 0', 'app-0'), option('App 7', 'app-7')],
          }),
        ],
      }),
      '/view/blocks/0/element/initial_options/1]',
    ],
    [
      'a radio initial_option not among the options',
      modal({
        blocks: [
          input('r', {
            type: 'radio_buttons',
            action_id: 'v',
            options: options(2),
            initial_option: option('x', 'y'),
          }),
        ],
      }),
      '/view/blocks/0/element/initial_option]',
    ],
  ])('refuses %s', async (_name, view, pointer) => {
    const messages = await open(view);
    expect(messages.some((m) => m.startsWith('[ERROR]') && m.endsWith(pointer))).toBe(true);
    expect(sim.views()).toEqual([]);
  });

  it('accepts a valid modal with inputs, 100 blocks and 3000 chars of private_metadata', async () => {
    const view = modal({
      private_metadata: 'm'.repeat(3000),
      title: plain('t'.repeat(24)),
      blocks: [...(modal().blocks as Block[]), ...Array.from({ length: 97 }, () => ({ type: 'divider' }))],
    });
    expect(await open(view)).toEqual([]);
    const [opened] = sim.views();
    expect(opened).toMatchObject({ kind: 'open', view });
  });
});
