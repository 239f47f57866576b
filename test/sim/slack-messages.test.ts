import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCOPES, type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';
import { simClient, slackError } from './slack-client.js';

let sim: SlackSim;

beforeAll(async () => {
  sim = await startSlackSim();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('chat.postMessage, replies and edits', () => {
  it('posts a message, replies in its thread and reflects edits', async () => {
    const client = simClient(sim);
    const parent = await client.chat.postMessage({
      channel: 'C_MIGRATIONS',
      text: 'Migrating app-1',
      blocks: [section('*Migrating* app-1')],
    });
    expect(parent.ok).toBe(true);
    expect(parent.channel).toBe('C_MIGRATIONS');
    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    const parentTs = parent.ts as string;

    const first = await client.chat.postMessage({
      channel: 'C_MIGRATIONS',
      thread_ts: parentTs,
      text: 'step 1 done',
    });
    // A reply to a reply joins the same thread, as on Slack.
    const second = await client.chat.postMessage({
      channel: 'C_MIGRATIONS',
      thread_ts: first.ts as string,
      text: 'step 2 done',
    });
    await client.chat.update({
      channel: 'C_MIGRATIONS',
      ts: parentTs,
      text: 'Migrated app-1',
      blocks: [section('*Migrated* app-1')],
    });

    const top = sim.messages('C_MIGRATIONS');
    expect(top).toHaveLength(1);
    expect(top[0]).toMatchObject({
      ts: parentTs,
      text: 'Migrated app-1',
      blocks: [section('*Migrated* app-1')],
      edits: 1,
      user: 'U_BOT',
      missingTextFallback: false,
    });
    expect(sim.thread('C_MIGRATIONS', parentTs).map((m) => [m.text, m.threadTs])).toEqual([
      ['step 1 done', parentTs],
      ['step 2 done', parentTs],
    ]);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(sim.messages('C_GENERAL')).toEqual([]);
  });

  it('gives every message a unique, increasing ts', async () => {
    const client = simClient(sim);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.chat.postMessage({ channel: 'C_GENERAL', text: `m${i}` })),
    );
    const stamps = sim.messages('C_GENERAL').map((m) => m.ts);
    expect(new Set(stamps).size).toBe(20);
    expect([...stamps].sort()).toEqual(stamps);
    expect(new Set(results.map((r) => r.ts))).toEqual(new Set(stamps));
  });

  it('keeps blocks that chat.update leaves out, and drops them for an empty array', async () => {
    const client = simClient(sim);
    const { ts } = await client.chat.postMessage({ channel: 'C_GENERAL', text: 'a', blocks: [section('a')] });
    await client.chat.update({ channel: 'C_GENERAL', ts: ts as string, text: 'b' });
    expect(sim.messages('C_GENERAL')[0]).toMatchObject({ text: 'b', blocks: [section('a')] });
    await client.chat.update({ channel: 'C_GENERAL', ts: ts as string, text: 'c', blocks: [] });
    expect(sim.messages('C_GENERAL')[0]?.blocks).toBeUndefined();
  });

  it('flags blocks sent without a text fallback, and still posts them as Slack does', async () => {
    const client = simClient(sim);
    await client.chat.postMessage({ channel: 'C_GENERAL', blocks: [section('no fallback')] });
    expect(sim.messages('C_GENERAL')[0]?.missingTextFallback).toBe(true);
    expect(sim.calls('chat.postMessage')[0]?.warnings).toEqual(['missing_text_fallback']);
    expect(await slackError(client.chat.postMessage({ channel: 'C_GENERAL', text: '' }))).toBe('no_text');
  });

  it('refuses channels the bot is not in, unknown channels, threads and messages', async () => {
    const client = simClient(sim);
    expect(await slackError(client.chat.postMessage({ channel: 'C_NO_BOT', text: 'hi' }))).toBe(
      'not_in_channel',
    );
    expect(await slackError(client.chat.postMessage({ channel: 'C_NOPE', text: 'hi' }))).toBe(
      'channel_not_found',
    );
    expect(
      await slackError(client.chat.postMessage({ channel: 'C_GENERAL', thread_ts: '1.000100', text: 'hi' })),
    ).toBe('thread_not_found');
    expect(await slackError(client.chat.update({ channel: 'C_GENERAL', ts: '1.000100', text: 'x' }))).toBe(
      'message_not_found',
    );
    expect(sim.messages('C_NO_BOT')).toEqual([]);
    expect(sim.calls('chat.postMessage').map((c) => c.error)).toEqual([
      'not_in_channel',
      'channel_not_found',
      'thread_not_found',
    ]);
  });

  it('answers invalid_auth for a wrong token and not_authed for none', async () => {
    expect(await slackError(simClient(sim, {}, 'xoxb-wrong').auth.test())).toBe('invalid_auth');
    expect(
      await slackError(simClient(sim, {}, '').chat.postMessage({ channel: 'C_GENERAL', text: 'x' })),
    ).toBe('not_authed');
    expect(sim.messages('C_GENERAL')).toEqual([]);
    const me = await simClient(sim).auth.test();
    expect(me).toMatchObject({ ok: true, user_id: 'U_BOT', team_id: 'T_TEST', bot_id: 'B_BOT' });
  });

  it('answers unknown_method with HTTP 200', async () => {
    const res = await fetch(`${sim.apiUrl}chat.nope`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.botToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error: 'unknown_method', req_method: 'chat.nope' });
  });

  it('accepts a JSON body with the token in it, as well as the form encoding', async () => {
    const res = await fetch(`${sim.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        token: sim.botToken,
        channel: 'C_GENERAL',
        text: 'json',
        blocks: [section('json')],
      }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C_GENERAL' });
    const [call] = sim.calls('chat.postMessage');
    expect(call).toMatchObject({ ok: true, token: sim.botToken, args: { blocks: [section('json')] } });
    expect(call?.args).not.toHaveProperty('token');
  });

  it('records form-encoded blocks as objects', async () => {
    await simClient(sim).chat.postMessage({ channel: 'C_GENERAL', text: 't', blocks: [section('s')] });
    expect(sim.calls('chat.postMessage')[0]?.args.blocks).toEqual([section('s')]);
  });
});

describe('DMs, ephemerals and permalinks', () => {
  it('opens a DM with a user (scope im:write) and posts there', async () => {
    const withIm = await startSlackSim({ scopes: [...DEFAULT_SCOPES] });
    try {
      const client = simClient(withIm);
      const opened = await client.conversations.open({ users: 'U_MEMBER' });
      const dm = (opened.channel as { id: string }).id;
      expect(dm).toBe(withIm.dmChannelFor('U_MEMBER'));
      await client.chat.postMessage({ channel: dm, text: 'your report' });
      expect(withIm.messages(dm).map((m) => m.text)).toEqual(['your report']);
      expect(await slackError(client.conversations.open({ users: 'U_DELETED' }))).toBe('user_disabled');
    } finally {
      await withIm.close();
    }
  });

  it('refuses conversations.open without im:write', async () => {
    const withoutIm = await startSlackSim({ scopes: DEFAULT_SCOPES.filter((scope) => scope !== 'im:write') });
    try {
      const client = simClient(withoutIm);
      await expect(client.conversations.open({ users: 'U_MEMBER' })).rejects.toMatchObject({
        data: { error: 'missing_scope', needed: 'im:write' },
      });
      // chat:write alone reaches the DM through the user id, as on Slack.
      const viaUser = await client.chat.postMessage({ channel: 'U_MEMBER', text: 'your report' });
      expect(viaUser.channel).toBe(withoutIm.dmChannelFor('U_MEMBER'));
      expect(withoutIm.messages(withoutIm.dmChannelFor('U_MEMBER')).map((m) => m.text)).toEqual([
        'your report',
      ]);
    } finally {
      await withoutIm.close();
    }
  });

  it('records ephemerals and refuses them where the bot is not', async () => {
    const client = simClient(sim);
    const res = await client.chat.postEphemeral({
      channel: 'C_GENERAL',
      user: 'U_MEMBER',
      text: 'Only admins',
    });
    expect(res.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(sim.ephemerals()).toEqual([
      { channel: 'C_GENERAL', user: 'U_MEMBER', text: 'Only admins', messageTs: res.message_ts },
    ]);
    expect(sim.messages('C_GENERAL')).toEqual([]);
    expect(
      await slackError(client.chat.postEphemeral({ channel: 'C_NO_BOT', user: 'U_MEMBER', text: 'x' })),
    ).toBe('not_in_channel');
  });

  it('gives permalinks for messages and thread replies', async () => {
    const client = simClient(sim);
    const parent = await client.chat.postMessage({ channel: 'C_GENERAL', text: 'p' });
    const reply = await client.chat.postMessage({
      channel: 'C_GENERAL',
      text: 'r',
      thread_ts: parent.ts as string,
    });
    const top = await client.chat.getPermalink({ channel: 'C_GENERAL', message_ts: parent.ts as string });
    expect(top.permalink).toBe(`${sim.url}/archives/C_GENERAL/p${(parent.ts as string).replace('.', '')}`);
    const inThread = await client.chat.getPermalink({ channel: 'C_GENERAL', message_ts: reply.ts as string });
    expect(inThread.permalink).toContain(`?thread_ts=${parent.ts}&cid=C_GENERAL`);
  });
});
