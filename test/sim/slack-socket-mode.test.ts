import { SocketModeClient } from '@slack/socket-mode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { commandFields, viewSubmissionPayload } from '../../testkit/slack-sim/driver.js';
import { type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';
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

    const fields = commandFields({ userId: 'U_ADMIN', text: 'status', triggerId: sim.issueTriggerId() });
    const { envelopeId, ack } = await sim.sendSlashCommand(fields);
    expect(ack).toEqual({
      envelope_id: envelopeId,
      payload: { response_type: 'ephemeral', text: 'hello U_ADMIN' },
    });
    expect(events).toEqual([{ type: 'slash_commands', body: fields, accepts: true }]);
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
    expect((await sim.sendInteractive(submission)).ack.payload).toEqual({ response_action: 'clear' });
    const click = { type: 'block_actions', user: { id: 'U_ADMIN' }, actions: [] };
    expect((await sim.sendInteractive(click)).ack.payload).toEqual({});
    // Slack takes a response in a view submission's ack, not in a click's.
    expect(received).toEqual([
      [submission, true],
      [click, false],
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
