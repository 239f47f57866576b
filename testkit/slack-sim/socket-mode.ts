/**
 * Socket Mode on the stand-in: the WebSocket end of the URLs `apps.connections.open` hands out.
 *
 * What Slack does, and so what this does: a connection is accepted only with a fresh ticket; the
 * server speaks first with `hello`; events arrive as envelopes `{ envelope_id, type, payload,
 * accepts_response_payload }`; the app answers each with `{ envelope_id, payload? }` (the payload is
 * what the app's `ack(…)` passed) and must do so within 3 s; `{ type: 'disconnect' }` asks the app to
 * reconnect. Pings are answered by `ws` itself (the Socket Mode client pings every ~1.7 s and gives up
 * after 4 unanswered); the stand-in does not ping, so the client never starts its server-ping timer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { SOCKET_MODE_PATH } from './socket-tickets.js';
import type { SimState } from './state.js';
import type { SocketAck } from './types.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

interface PendingAck {
  socket: WebSocket;
  resolve(ack: SocketAck): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface ConnectionWaiter {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const DEBUG_INFO = { host: 'slack-sim', build_number: 1, approximate_connection_time: 18_060 };

/** Answers an upgrade we refuse with a plain HTTP status, as Slack's edge does. */
function refuse(socket: Duplex, status: 401 | 404, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

function parseAck(data: RawData, isBinary: boolean): SocketAck['ack'] | undefined {
  if (isBinary) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const { envelope_id: envelopeId } = message as { envelope_id?: unknown };
  return typeof envelopeId === 'string' ? (message as SocketAck['ack']) : undefined;
}

/** The stand-in's Socket Mode connections, attached to its HTTP server's `upgrade`. */
export class SocketModeHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  /** Open connections, oldest first; envelopes go to the oldest one. */
  private readonly sockets: WebSocket[] = [];
  private readonly pending = new Map<string, PendingAck>();
  private readonly waiters = new Set<ConnectionWaiter>();
  private server: Server | undefined;
  private closed = false;

  constructor(private readonly state: SimState) {}

  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
  }

  connections(): number {
    return this.sockets.length;
  }

  waitForConnection(timeoutMs: number): Promise<void> {
    if (this.sockets.length > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: ConnectionWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no Socket Mode connection within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Sends an envelope to the oldest connection; resolves with its ack, rejects without one in time. */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    acceptsResponsePayload: boolean,
    timeoutMs: number,
  ) {
    const socket = this.sockets.find((candidate) => candidate.readyState === candidate.OPEN);
    if (socket === undefined) {
      return Promise.reject(new Error(`no Socket Mode connection to send a ${type} envelope to`));
    }
    const envelopeId = randomUUID();
    const envelope = {
      envelope_id: envelopeId,
      type,
      accepts_response_payload: acceptsResponsePayload,
      payload,
    };
    return new Promise<SocketAck>((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(entry.timer);
        this.pending.delete(envelopeId);
        reject(error);
      };
      const entry: PendingAck = {
        socket,
        resolve,
        reject: fail,
        timer: setTimeout(
          () => fail(new Error(`no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`)),
          timeoutMs,
        ),
      };
      this.pending.set(envelopeId, entry);
      socket.send(JSON.stringify(envelope), (error) => {
        if (error) fail(error);
      });
    });
  }

  /** Asks every connection to reconnect (`type: disconnect`), as Slack does before recycling one. */
  disconnect(reason: string): number {
    const open = this.sockets.filter((socket) => socket.readyState === socket.OPEN);
    for (const socket of open)
      socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: DEBUG_INFO }));
    return open.length;
  }

  /** Drops every connection (no close handshake: the server is going away) and stops taking new ones. */
  async close(): Promise<void> {
    this.closed = true;
    this.server?.off('upgrade', this.onUpgrade);
    for (const entry of this.pending.values()) entry.reject(new Error('the Slack stand-in closed'));
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the Slack stand-in closed'));
    }
    this.waiters.clear();
    for (const socket of [...this.sockets]) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== SOCKET_MODE_PATH || this.closed) {
      refuse(socket, 404, 'Not Found');
      return;
    }
    const ticket = url.searchParams.get('ticket');
    if (ticket === null || !this.state.socketTickets.redeem(ticket)) {
      refuse(socket, 401, 'Unauthorized');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  };

  private onConnection(socket: WebSocket): void {
    this.sockets.push(socket);
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose(socket));
    // An error is followed by 'close'; without a listener it would be thrown.
    socket.on('error', () => {});
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.length,
        debug_info: DEBUG_INFO,
        connection_info: { app_id: this.state.config.appId },
      }),
    );
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    this.waiters.clear();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    // Anything but an ack of an envelope we are waiting on (a late ack, a stray message) is dropped.
    const ack = parseAck(data, isBinary);
    if (ack === undefined) return;
    const entry = this.pending.get(ack.envelope_id);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.pending.delete(ack.envelope_id);
    entry.resolve({ envelopeId: ack.envelope_id, ack });
  }

  private onClose(socket: WebSocket): void {
    const index = this.sockets.indexOf(socket);
    if (index >= 0) this.sockets.splice(index, 1);
    for (const [envelopeId, entry] of this.pending) {
      if (entry.socket === socket) {
        entry.reject(new Error(`the Socket Mode connection closed before envelope ${envelopeId} was acked`));
      }
    }
  }
}
