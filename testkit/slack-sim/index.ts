import type { AddressInfo } from 'node:net';
import { ackProblems } from './ack-checks.js';
import { DEFAULT_LENGTH_UNIT } from './block-kit.js';
import {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_APP_ID,
  DEFAULT_APP_TOKEN,
  DEFAULT_BOT_ID,
  DEFAULT_BOT_TOKEN,
  DEFAULT_BOT_USER_ID,
  DEFAULT_SCOPES,
  DEFAULT_TEAM_ID,
  DEFAULT_TRIGGER_TTL_MS,
  defaultSimChannels,
  defaultSimUsergroups,
  defaultSimUsers,
} from './defaults.js';
import { createSlackSimServer } from './server.js';
import { RefusedAckError, withIssuedTrigger } from './socket-envelopes.js';
import { type EnvelopeType, SocketModeHub } from './socket-mode.js';
import { type SimConfig, SimState } from './state.js';
import type { SendEnvelopeOptions, SimSlackUser, SlackSim, SlackSimOptions, SocketAck } from './types.js';

export { viewSubmissionAckProblems } from './ack-checks.js';
export {
  type LengthUnit,
  textLength,
  validateHomeView,
  validateMessageBlocks,
  validateModalView,
  validateOptionsResponse,
} from './block-kit.js';
export {
  DEFAULT_APP_TOKEN,
  DEFAULT_BOT_TOKEN,
  DEFAULT_SCOPES,
  defaultSimChannels,
  defaultSimUsergroups,
  defaultSimUsers,
} from './defaults.js';
export { UPLOAD_METHOD } from './server.js';
export { RefusedAckError } from './socket-envelopes.js';
export { SOCKET_MODE_PATH } from './socket-tickets.js';
export type {
  IssueTriggerOptions,
  ResponseUrlTarget,
  SendEnvelopeOptions,
  SimCall,
  SimChannel,
  SimEphemeral,
  SimFault,
  SimFile,
  SimMessage,
  SimResponse,
  SimSlackUser,
  SimViewEvent,
  SlackSim,
  SlackSimOptions,
  SocketAck,
} from './types.js';
export { viewText } from './view-text.js';

function configFrom(options: SlackSimOptions): SimConfig {
  const botUserId = options.botUserId ?? DEFAULT_BOT_USER_ID;
  const users: SimSlackUser[] = [...(options.users ?? defaultSimUsers)];
  // The bot is a user of the workspace too (users.info on it works, as on Slack).
  if (!users.some((user) => user.id === botUserId)) {
    users.push({ id: botUserId, name: 'migrate-bot', realName: 'Migrate Bot', isBot: true });
  }
  const botToken = options.botToken ?? DEFAULT_BOT_TOKEN;
  const appToken = options.appToken ?? DEFAULT_APP_TOKEN;
  if (appToken === botToken) throw new RangeError('the app-level token must differ from the bot token');
  return {
    botToken,
    appToken,
    appId: options.appId ?? DEFAULT_APP_ID,
    ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
    teamId: options.teamId ?? DEFAULT_TEAM_ID,
    botUserId,
    botId: DEFAULT_BOT_ID,
    scopes: options.scopes ?? DEFAULT_SCOPES,
    triggerTtlMs: options.triggerTtlMs ?? DEFAULT_TRIGGER_TTL_MS,
    strictTriggers: options.strictTriggers ?? false,
    lengthUnit: options.lengthUnit ?? DEFAULT_LENGTH_UNIT,
    users,
    channels: options.channels ?? defaultSimChannels,
    usergroups: options.usergroups ?? defaultSimUsergroups,
    freePlan: options.freePlan ?? false,
    refuseUploads: options.refuseUploads,
    rateLimits: options.rateLimits ?? false,
    enterprise: options.enterprise,
    homeTabEnabled: options.homeTabEnabled ?? true,
    homePublishSpacingMs: options.homePublishSpacingMs,
  };
}

/**
 * Starts a local stand-in of Slack's Web API on 127.0.0.1. Point a real `WebClient` at it with
 * `new WebClient(sim.botToken, { slackApiUrl: sim.apiUrl })`; call `close()` when done. For Socket
 * Mode, give a `SocketModeClient` (or Bolt with `socketMode: true`) `sim.appToken` and the same
 * `slackApiUrl`, then push events with `sendSlashCommand` / `sendInteractive`.
 */
export async function startSlackSim(options: SlackSimOptions = {}): Promise<SlackSim> {
  const state = new SimState(configFrom(options));
  const server = createSlackSimServer(state);
  const socketMode = new SocketModeHub(state);
  socketMode.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  state.url = url;
  const { config } = state;
  const ackTimeout = (send: SendEnvelopeOptions | undefined) => send?.ackTimeoutMs ?? config.ackTimeoutMs;
  /** As Slack: a fresh trigger id in the envelope, the ack in time (else the hub rejects) and valid. */
  const sendEnvelope = async (
    type: EnvelopeType,
    given: Record<string, unknown>,
    acceptsResponse: boolean,
    send: SendEnvelopeOptions | undefined,
  ): Promise<SocketAck> => {
    const { payload, triggerId } = withIssuedTrigger(type, given, state.triggers, send?.triggerAgeMs);
    const answer = await socketMode.send(type, payload, acceptsResponse, ackTimeout(send));
    const acked: SocketAck = triggerId === undefined ? answer : { ...answer, triggerId };
    const problems = ackProblems(type, payload, acked, config.lengthUnit);
    if (problems.length > 0) throw new RefusedAckError(problems, acked);
    return acked;
  };

  return {
    url,
    apiUrl: `${url}/api/`,
    botToken: config.botToken,
    teamId: config.teamId,
    botUserId: config.botUserId,
    appToken: config.appToken,
    async close() {
      // First the WebSockets: upgraded sockets are not the HTTP server's to close, yet it waits for them.
      await socketMode.close();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps idle connections open; without this, close() waits for them to time out.
        server.closeAllConnections();
      });
    },
    calls: (method) => state.callsSnapshot(method),
    messages: (channel) => state.messagesSnapshot(channel),
    thread: (channel, threadTs) => state.threadSnapshot(channel, threadTs),
    files: (channel, threadTs) => state.filesSnapshot(channel, threadTs),
    ephemerals: () => state.ephemeralsSnapshot(),
    views: () => state.viewEventsSnapshot(),
    view: (viewId) => state.viewSnapshot(viewId),
    homeView: (userId) => state.homeViewSnapshot(userId),
    homePublishes: (userId) =>
      state.viewEventsSnapshot().filter((event) => event.kind === 'publish' && event.userId === userId),
    dmChannelFor: (userId) => state.directory.dmChannelFor(userId),
    failNext: (fault) => state.faults.add(fault),
    setLatency: (method, ms) => state.setLatency(method, ms),
    issueTriggerId: (issue) => state.triggers.issue(issue?.ageMs),
    issueResponseUrl: (target) => state.responseUrls.issue(url, target),
    responses: () => state.responseUrls.received.map((response) => structuredClone(response)),
    removeUsergroup: (id) => state.directory.removeUsergroup(id),
    postAsUser: (channel, userId, text) => {
      const ts = state.clock.next();
      state.messages.push({ channel, ts, user: userId, text, edits: 0, missingTextFallback: false });
      return ts;
    },
    upsertUser: (user) => state.directory.upsertUser(user),
    upsertChannel: (channel) => state.directory.upsertChannel(channel),
    setUsergroup: (id, members) => state.directory.setUsergroup(id, members),
    reset: () => state.reset(),
    socketConnections: () => socketMode.connections(),
    waitForSocketConnection: (timeoutMs = 5000) => socketMode.waitForConnection(timeoutMs),
    sendSlashCommand: async (fields, send) => {
      if (!fields.command?.startsWith('/') || !fields.user_id) {
        throw new TypeError('a slash command needs `command` (starting with /) and `user_id`');
      }
      return sendEnvelope('slash_commands', { ...fields }, true, send);
    },
    sendInteractive: async (payload, send) => {
      const type = (payload as { type?: unknown } | null)?.type;
      if (typeof payload !== 'object' || payload === null || typeof type !== 'string') {
        throw new TypeError('an interactive payload is an object with a `type`');
      }
      // Slack takes a response in the ack of view submissions and option loads only.
      const acceptsResponse = type === 'view_submission' || type === 'block_suggestion';
      return sendEnvelope('interactive', payload as Record<string, unknown>, acceptsResponse, send);
    },
    sendEvent: async (payload, send) => {
      const event = (payload as { type?: unknown; event?: { type?: unknown } }).event;
      if (payload.type !== 'event_callback' || typeof event?.type !== 'string') {
        throw new TypeError('an events_api payload is an event_callback with an `event` that has a `type`');
      }
      return socketMode.send('events_api', payload, false, ackTimeout(send));
    },
    sendDisconnect: (reason = 'refresh_requested') => socketMode.disconnect(reason),
  };
}
