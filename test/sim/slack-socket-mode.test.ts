import { SocketModeClient } from '@slack/socket-mode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { commandFields, optionsLoadPayload, viewSubmissionPayload } from '../../testkit/slack-sim/driver.js';
import {
  type LengthUnit,
  RefusedAckError,
  type SlackSim,
  startSlackSim,
} from '../../testkit/slack-sim/index.js';
import { silentLogger, simClient, slackError } from './slack-client.js';

let sim: SlackSim;
const clients: SocketModeClient[] = [];

beforeEach(async () => {
  sim = await startSlackSim({ ackTimeoutMs: 1_000 });
});
afterEach(async () => {
  // Clients first: a client that loses its server tries to reconnect, and fails loudly.
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  await sim.close();
});

/** The real Socket Mode client (the one Bolt uses), pointed at the stand-in. */
function socketClient(options: { appToken?: string; autoReconnectEnabled?: boolean } = {}) {
  const client = new SocketModeClient({
    appToken: options.appToken ?? sim.appToken,
    logger: silentLogger,
    autoReconnectEnabled: options.autoReconnectEnabled ?? true,
    // Reconnects wait clientPingTimeout × attempts; keep that short.
    clientPingTimeout: 300,
    clientOptions: { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } },
  });
  clients.push(client);
  return client;
}

/** Opens a raw WebSocket; resolves with the first message, or the HTTP status of a refused upgrade. */
function rawConnect(url: string): Promise<{ socket: WebSocket; hello: unknown } | { status: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('message', (data) => resolve({ socket, hello: JSON.parse(data.toString()) }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

async function connectionUrl(): Promise<string> {
  const opened = await simClient(sim, {}, sim.appToken).apps.connections.open();
  return String(opened.url);
}

describe('Socket Mode', () => {
  it('apps.connections.open takes the app-level token only and answers a one-time ws:// URL', async () => {
    const url = new URL(await connectionUrl());
    expect(url.protocol).toBe('ws:');
    expect(url.host).toBe(new URL(sim.url).host);
    expect(url.pathname).toBe('/socket-mode');
    expect(url.searchParams.get('ticket')).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.calls('apps.connections.open')[0]).toMatchObject({ ok: true, token: sim.appToken });

    expect(await slackError(simClient(sim).apps.connections.open())).toBe('not_allowed_token_type');
    expect(await slackError(simClient(sim, {}, 'xapp-wrong').apps.connections.open())).toBe('invalid_auth');
    expect(await slackError(simClient(sim, {}, '').apps.connections.open())).toBe('not_authed');
    // …and the app-level token is no bot token.
    expect(
      await slackError(
        simClient(sim, {}, sim.appToken).chat.postMessage({ channel: 'C_GENERAL', text: 'x' }),
      ),
    ).toBe('not_allowed_token_type');
  });

  it('the real SocketModeClient connects, gets a slash command envelope and its ack reaches the stand-in', async () => {
    const client = socketClient();
    const events: Array<{ type: string; body: unknown; accepts: unknown }> = [];
    client.on('slack_event', ({ type, body, accepts_response_payload }) =>
      events.push({ type, body, accepts: accepts_response_payload }),
    );
    client.on('slash_commands', async ({ ack, body }) => {
      await ack({ response_type: 'ephemeral', text: `hello ${body.user_id}` });
    });
    await client.start(); // resolves on the stand-in's `hello`
    expect(sim.socketConnections()).toBe(1);
    await sim.waitForSocketConnection(100);

    const fields = commandFields({ userId: 'U_ADMIN', text: 'status' });
    const { envelopeId, ack, triggerId } = await sim.sendSlashCommand(fields);
    expect(ack).toEqual({
      envelope_id: envelopeId,
      payload: { response_type: 'ephemeral', text: 'hello U_ADMIN' },
    });
    // The envelope carries the fields, with a trigger id the stand-in issued (as Slack does).
    expect(triggerId).not.toBe(fields.trigger_id);
    expect(events).toEqual([
      { type: 'slash_commands', body: { ...fields, trigger_id: triggerId }, accepts: true },
    ]);
  });

  it('interactive envelopes carry the HTTP payload; a bare ack comes back with an empty payload', async () => {
    const client = socketClient();
    const received: Array<[unknown, unknown]> = [];
    client.on('interactive', async ({ ack, body, accepts_response_payload }) => {
      received.push([body, accepts_response_payload]);
      await ack(body.type === 'view_submission' ? { response_action: 'clear' } : undefined);
    });
    await client.start();
    const submission = viewSubmissionPayload({
      userId: 'U_ADMIN',
      view: { callback_id: 'confirm' },
      values: {},
    });
    const submitted = await sim.sendInteractive(submission);
    expect(submitted.ack.payload).toEqual({ response_action: 'clear' });
    const click = { type: 'block_actions', user: { id: 'U_ADMIN' }, actions: [] };
    const clicked = await sim.sendInteractive(click);
    expect(clicked.ack.payload).toEqual({});
    // Slack takes a response in a view submission's ack, not in a click's; both get a trigger id.
    expect(received).toEqual([
      [{ ...submission, trigger_id: submitted.triggerId }, true],
      [{ ...click, trigger_id: clicked.triggerId }, false],
    ]);
  });

  it('an envelope nobody acks fails after the ack timeout; one with no connection fails at once', async () => {
    await expect(sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN' }))).rejects.toThrow(
      /no Socket Mode connection/,
    );
    await expect(sim.waitForSocketConnection(50)).rejects.toThrow(/no Socket Mode connection within 50 ms/);
    const client = socketClient();
    client.on('slash_commands', () => {}); // never acks
    await client.start();
    await expect(
      sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN' }), { ackTimeoutMs: 200 }),
    ).rejects.toThrow(/no ack for slash_commands envelope .* within 200 ms/);
    await expect(sim.sendSlashCommand({ user_id: 'U_ADMIN' })).rejects.toThrow(TypeError);
    await expect(sim.sendInteractive('not an object')).rejects.toThrow(TypeError);
  });

  it('a wrong or wrong-kind app token fails the client’s start', async () => {
    const wrong = socketClient({ appToken: 'xapp-wrong' });
    await expect(wrong.start()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    // The client retries errors it does not know as fatal; not_allowed_token_type is one.
    const botToken = socketClient({ appToken: sim.botToken, autoReconnectEnabled: false });
    await expect(botToken.start()).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    expect(sim.socketConnections()).toBe(0);
  });

  it('a ticket works once; an unknown ticket or path is refused', async () => {
    const url = await connectionUrl();
    const first = await rawConnect(url);
    if (!('hello' in first)) throw new Error(`refused: ${first.status}`);
    expect(first.hello).toEqual({
      type: 'hello',
      num_connections: 1,
      debug_info: expect.objectContaining({ host: expect.any(String) }),
      connection_info: { app_id: 'A_MIGRATE' },
    });
    expect(await rawConnect(url)).toEqual({ status: 401 });
    expect(await rawConnect(url.replace(/ticket=\w+/, 'ticket=bogus'))).toEqual({ status: 401 });
    expect(await rawConnect(url.replace('/socket-mode', '/elsewhere'))).toEqual({ status: 404 });
    expect(sim.socketConnections()).toBe(1);

    // close() drops live connections and does not wait for them.
    const closed = new Promise<number>((resolve) => first.socket.once('close', resolve));
    await sim.close();
    expect(await closed).toBe(1006);
    sim = await startSlackSim(); // for afterEach
  });

  it('on `disconnect` the client reconnects with a new URL and events flow again', async () => {
    const client = socketClient();
    client.on('slash_commands', async ({ ack }) => ack());
    await client.start();
    const reconnected = new Promise((resolve) => client.once('connected', resolve));
    expect(sim.sendDisconnect()).toBe(1);
    await reconnected;
    expect(sim.calls('apps.connections.open')).toHaveLength(2);
    expect(sim.socketConnections()).toBe(1);
    const { ack } = await sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN' }));
    expect(ack.payload).toEqual({});
  });
});

describe('Socket Mode strictness, as in HTTP mode', () => {
  const modal = (title: string) => ({
    type: 'modal',
    callback_id: 'next',
    title: { type: 'plain_text', text: title },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Sure?' } }],
  });

  it('an envelope’s trigger id works once, and not after 3 s', async () => {
    const web = simClient(sim);
    const client = socketClient();
    const opens: Array<Promise<string[]>> = [];
    client.on('slash_commands', async ({ ack, body }) => {
      await ack();
      // Two views.open on one trigger: Slack takes the first only.
      const open = (title: string) =>
        web.views.open({ trigger_id: body.trigger_id, view: modal(title) as never }).then(
          () => 'ok',
          (error: { data?: { error?: string } }) => String(error.data?.error),
        );
      opens.push((async () => [await open('First'), await open('Second')])());
    });
    await client.start();

    const fresh = await sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN' }));
    await sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN' }), { triggerAgeMs: 5_000 });
    expect(await Promise.all(opens)).toEqual([
      ['ok', 'exchanged_trigger_id'],
      ['expired_trigger_id', 'expired_trigger_id'],
    ]);
    expect(
      sim.views().map((event) => [event.triggerId, (event.view.title as { text: string }).text]),
    ).toEqual([[fresh.triggerId, 'First']]);
  });

  it('an ack after the deadline fails the envelope, and the late ack is not taken for another', async () => {
    const client = socketClient();
    const held: Array<() => Promise<void>> = [];
    client.on('slash_commands', async ({ ack, body }) => {
      if (body.text === 'slow') held.push(() => ack({ text: 'too late' }));
      else await ack({ text: 'on time' });
    });
    await client.start();
    await expect(
      sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN', text: 'slow' }), { ackTimeoutMs: 200 }),
    ).rejects.toThrow(/no ack for slash_commands envelope .* within 200 ms/);
    await held[0]?.();
    const next = await sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN', text: 'quick' }));
    expect(next.ack.payload).toEqual({ text: 'on time' });
  });

  it('refuses acks Slack would refuse: a bad pushed view, empty errors, a bad reply or option list', async () => {
    const acks: Record<string, unknown> = {
      bad_push: { response_action: 'push', view: modal('t'.repeat(25)) },
      bad_update: {
        response_action: 'update',
        view: { type: 'modal', title: { type: 'plain_text', text: 'x' } },
      },
      empty_error: { response_action: 'errors', errors: { title: '' } },
      no_errors: { response_action: 'errors', errors: {} },
      unknown_action: { response_action: 'close' },
      good_push: { response_action: 'push', view: modal('Confirm') },
      good_errors: { response_action: 'errors', errors: { title: 'Give it a title' } },
    };
    const client = socketClient();
    client.on('interactive', async ({ ack, body }) => {
      if (body.type === 'view_submission') await ack(acks[body.view.callback_id] as never);
      else await ack({ options: [{ text: { type: 'plain_text', text: 'o'.repeat(76) }, value: 'v' }] });
    });
    client.on('slash_commands', async ({ ack, body }) => {
      await ack(
        body.text === 'bad'
          ? { blocks: [{ type: 'mystery' }] }
          : { text: 'fine', response_type: 'ephemeral' },
      );
    });
    await client.start();
    const submit = (callbackId: string) =>
      sim.sendInteractive(
        viewSubmissionPayload({ userId: 'U_ADMIN', view: { callback_id: callbackId }, values: {} }),
      );

    for (const bad of ['bad_push', 'bad_update', 'empty_error', 'no_errors', 'unknown_action']) {
      const refused = await submit(bad).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused, bad).toBeInstanceOf(RefusedAckError);
      expect((refused as RefusedAckError).ack.ack.payload).toEqual(acks[bad]);
    }
    await expect(submit('bad_push')).rejects.toThrow(/Slack would refuse this ack: .*\/view\/title\/text/);
    expect((await submit('good_push')).ack.payload).toEqual(acks.good_push);
    expect((await submit('good_errors')).ack.payload).toEqual(acks.good_errors);

    await expect(sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN', text: 'bad' }))).rejects.toThrow(
      RefusedAckError,
    );
    expect((await sim.sendSlashCommand(commandFields({ userId: 'U_ADMIN' }))).ack.payload).toEqual({
      text: 'fine',
      response_type: 'ephemeral',
    });
    const options = optionsLoadPayload({
      userId: 'U_ADMIN',
      actionId: 'v2_app_select',
      blockId: 'v2_app',
      value: 'ac',
      view: { id: 'V_1', callback_id: 'form' },
    });
    await expect(sim.sendInteractive(options)).rejects.toThrow(/options\/0\/text\/text/);
  });

  it.each<[LengthUnit, boolean]>([
    ['utf16', false],
    ['code_points', true],
  ])(
    'counts a pushed title of 13 emoji (26 UTF-16 units) under the %s reading: accepted %s',
    async (lengthUnit, accepted) => {
      await sim.close();
      sim = await startSlackSim({ ackTimeoutMs: 1_000, lengthUnit });
      const client = socketClient();
      client.on('interactive', async ({ ack }) =>
        ack({ response_action: 'push', view: modal('🦊'.repeat(13)) } as never),
      );
      await client.start();
      const sent = sim.sendInteractive(
        viewSubmissionPayload({ userId: 'U_ADMIN', view: { callback_id: 'form' }, values: {} }),
      );
      if (accepted) expect((await sent).ack.payload).toMatchObject({ response_action: 'push' });
      else await expect(sent).rejects.toThrow(/\/view\/title\/text/);
    },
  );
});
