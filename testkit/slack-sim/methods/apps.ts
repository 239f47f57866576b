import { SOCKET_MODE_PATH } from '../socket-tickets.js';
import { type MethodSpec, ok } from './method.js';

/**
 * `apps.connections.open`: takes the app-level token only and answers a one-time WebSocket URL on
 * the stand-in's own port. Slack's is `wss://…`; ours is plain `ws://`, which the Socket Mode client
 * (undici's WebSocket) accepts as it is.
 */
export const appsConnectionsOpen: MethodSpec = {
  token: 'app',
  handle(_args, { state }) {
    const url = new URL(SOCKET_MODE_PATH, state.url.replace(/^http/, 'ws'));
    url.searchParams.set('ticket', state.socketTickets.issue());
    url.searchParams.set('app_id', state.config.appId);
    return ok({ url: url.toString() });
  },
};
