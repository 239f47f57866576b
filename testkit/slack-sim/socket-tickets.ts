import { randomBytes } from 'node:crypto';

/** Where the stand-in takes WebSocket upgrades: `ws://127.0.0.1:<port>/socket-mode?ticket=…`. */
export const SOCKET_MODE_PATH = '/socket-mode';

/**
 * How long a Socket Mode URL stays good. Slack's are short-lived and must not be reused; the
 * stand-in makes that concrete: one connection per ticket, within 30 s.
 */
export const SOCKET_TICKET_TTL_MS = 30_000;

/** Tickets in the WebSocket URLs `apps.connections.open` hands out. */
export class SocketTickets {
  private readonly issuedAt = new Map<string, number>();

  issue(): string {
    const ticket = randomBytes(16).toString('hex');
    this.issuedAt.set(ticket, Date.now());
    return ticket;
  }

  /** True (once) for a ticket that was issued and has not expired. */
  redeem(ticket: string): boolean {
    const issued = this.issuedAt.get(ticket);
    if (issued === undefined) return false;
    this.issuedAt.delete(ticket);
    return Date.now() - issued <= SOCKET_TICKET_TTL_MS;
  }

  clear(): void {
    this.issuedAt.clear();
  }
}
