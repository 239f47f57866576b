import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';
import { simClient, slackError } from './slack-client.js';

let sim: SlackSim;
beforeAll(async () => {
  sim = await startSlackSim();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('response URLs', () => {
  it('work where the bot cannot post, five times at most', async () => {
    const url = sim.issueResponseUrl({ channel: 'D_ADA_MAX', user: 'U_ADMIN' });
    for (let i = 0; i < 5; i += 1) expect((await post(url, { text: `notice ${i}` })).status).toBe(200);
    const sixth = await post(url, { text: 'one too many' });
    expect([sixth.status, await sixth.text()]).toEqual([404, 'used_url']);
    expect(sim.responses().map((r) => r.outcome)).toEqual([...Array(5).fill('ephemeral'), 'refused']);
  });

  it('replace the message they came from unless told `replace_original: false` (the harsher reading)', async () => {
    const client = simClient(sim);
    const parent = await client.chat.postMessage({ channel: 'C_GENERAL', text: 'Parent' });
    const target = { channel: 'C_GENERAL', user: 'U_ADMIN', messageTs: parent.ts as string };
    await post(sim.issueResponseUrl(target), { text: 'kept apart', replace_original: false });
    expect(sim.messages('C_GENERAL')[0]?.text).toBe('Parent');
    await post(sim.issueResponseUrl(target), { text: 'clobbered' });
    expect(sim.messages('C_GENERAL')[0]?.text).toBe('clobbered');
  });

  it('refuse bad Block Kit and text over 40,000 characters', async () => {
    const url = sim.issueResponseUrl({ channel: 'C_GENERAL', user: 'U_ADMIN' });
    expect(await (await post(url, { text: 'x', blocks: [{ type: 'nope' }] })).text()).toBe('invalid_blocks');
    // By default "characters" are UTF-16 units (the stricter reading): an emoji counts 2.
    expect(await (await post(url, { text: '🦊'.repeat(20_001) })).text()).toBe('msg_too_long');
    expect((await post(url, { text: '🦊'.repeat(20_000) })).status).toBe(200);
  });

  it('count code points when the stand-in plays that reading of "characters"', async () => {
    const codePointSim = await startSlackSim({ lengthUnit: 'code_points' });
    try {
      const url = codePointSim.issueResponseUrl({ channel: 'C_GENERAL', user: 'U_ADMIN' });
      expect(await (await post(url, { text: '🦊'.repeat(40_001) })).text()).toBe('msg_too_long');
      // 40,000 emoji are 80,000 UTF-16 units but 40,000 code points: accepted.
      expect((await post(url, { text: '🦊'.repeat(40_000) })).status).toBe(200);
    } finally {
      await codePointSim.close();
    }
  });
});

describe('who may post where', () => {
  it('chat.postEphemeral reaches members only', async () => {
    const client = simClient(sim);
    expect(
      await slackError(client.chat.postEphemeral({ channel: 'G_PRIVATE_BOT', user: 'U_OWNER', text: 'x' })),
    ).toBe('user_not_in_channel');
    expect(
      await slackError(client.chat.postEphemeral({ channel: 'G_SECRET', user: 'U_ADMIN', text: 'x' })),
    ).toBe('channel_not_found');
    await client.chat.postEphemeral({ channel: 'G_PRIVATE_BOT', user: 'U_ADMIN', text: 'x' });
    expect(sim.ephemerals()).toHaveLength(1);
  });

  it('chat.update edits the bot’s own messages only', async () => {
    sim.upsertChannel({ id: 'C_GENERAL', name: 'general', botIsMember: true });
    const client = simClient(sim);
    const own = await client.chat.postMessage({ channel: 'C_GENERAL', text: 'mine' });
    await client.chat.update({ channel: 'C_GENERAL', ts: own.ts as string, text: 'edited' });
    // A message by someone else, as a forged payload might name it.
    const foreignTs = sim.postAsUser('C_GENERAL', 'U_ADMIN', 'a person wrote this');
    expect(await slackError(client.chat.update({ channel: 'C_GENERAL', ts: foreignTs, text: 'x' }))).toBe(
      'cant_update_message',
    );
    expect(sim.messages('C_GENERAL').map((m) => m.text)).toEqual(['edited', 'a person wrote this']);
  });
});

describe('lengths and dialogs', () => {
  it.each([
    ['UTF-16 units (the default)', {}, 37],
    ['code points', { lengthUnit: 'code_points' as const }, 75],
  ])('counts Block Kit lengths in %s, and validates confirm dialogs', async (_reading, options, fits) => {
    const lengthSim = await startSlackSim(options);
    try {
      await checkLengthsAndDialogs(lengthSim, fits);
    } finally {
      await lengthSim.close();
    }
  });
});

/** A 75-character button label: `fits` fox emoji pass, one more is refused. */
async function checkLengthsAndDialogs(sim: SlackSim, fits: number): Promise<void> {
  const client = simClient(sim);
  const button = (confirm: unknown, text = 'Go') => [
    {
      type: 'actions',
      elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text }, confirm }],
    },
  ];
  const dialog = {
    title: { type: 'plain_text', text: 'Sure?' },
    text: { type: 'plain_text', text: 'Really.' },
    confirm: { type: 'plain_text', text: 'Yes' },
    deny: { type: 'plain_text', text: 'No' },
  };
  await client.chat.postMessage({
    channel: 'C_GENERAL',
    text: 'ok',
    blocks: button(dialog, '🦊'.repeat(fits)) as never,
  });
  expect(
    await slackError(
      client.chat.postMessage({
        channel: 'C_GENERAL',
        text: 'x',
        blocks: button(dialog, '🦊'.repeat(fits + 1)) as never,
      }),
    ),
  ).toBe('invalid_blocks');
  const { deny: _deny, ...noDeny } = dialog;
  expect(
    await slackError(
      client.chat.postMessage({ channel: 'C_GENERAL', text: 'x', blocks: button(noDeny) as never }),
    ),
  ).toBe('invalid_blocks');
  const longTitle = { ...dialog, title: { type: 'plain_text', text: 'x'.repeat(101) } };
  expect(
    await slackError(
      client.chat.postMessage({ channel: 'C_GENERAL', text: 'x', blocks: button(longTitle) as never }),
    ),
  ).toBe('invalid_blocks');
}

describe('files', () => {
  it('refuses an empty upload, and every upload when the workspace forbids them', async () => {
    const client = simClient(sim);
    expect(await slackError(client.files.getUploadURLExternal({ filename: 'a.csv', length: 0 }))).toBe(
      'invalid_arguments',
    );
    const closed = await startSlackSim({ refuseUploads: 'file_uploads_disabled' });
    try {
      expect(
        await slackError(simClient(closed).files.getUploadURLExternal({ filename: 'a.csv', length: 10 })),
      ).toBe('file_uploads_disabled');
    } finally {
      await closed.close();
    }
  });
});

describe('rate limits, when switched on', () => {
  it('1 message a second per channel, and 50 Tier 3 calls a minute, answered 429 with Retry-After', async () => {
    const limited = await startSlackSim({ rateLimits: true });
    try {
      const client = simClient(limited, { rejectRateLimitedCalls: true });
      const first = await client.chat.postMessage({ channel: 'C_GENERAL', text: 'one' });
      await expect(client.chat.postMessage({ channel: 'C_GENERAL', text: 'two' })).rejects.toMatchObject({
        code: 'slack_webapi_rate_limited_error',
        retryAfter: 1,
      });
      await client.chat.postMessage({ channel: 'C_MIGRATIONS', text: 'elsewhere' }); // per channel
      for (let i = 0; i < 50; i += 1)
        await client.chat.update({ channel: 'C_GENERAL', ts: first.ts as string, text: `edit ${i}` });
      const refused = await client.chat
        .update({ channel: 'C_GENERAL', ts: first.ts as string, text: 'edit 51' })
        .catch((error: { retryAfter?: number }) => error);
      expect((refused as { retryAfter?: number }).retryAfter).toBeGreaterThan(50);
      expect(limited.messages('C_GENERAL')[0]?.text).toBe('edit 49');
      expect(
        limited
          .calls()
          .filter((c) => c.status === 429)
          .map((c) => c.method),
      ).toEqual(['chat.postMessage', 'chat.update']);
    } finally {
      await limited.close();
    }
  });
});
