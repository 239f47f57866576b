import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../observability/metrics.js';
import { serveMetrics } from '../observability/metrics-server.js';
import type { Logger } from '../shared/logger.js';

export const EVENTS_PATH = '/slack/events';

/**
 * Slack documents a five-minute window around our clock for the request timestamp; Bolt checks only
 * the past side, so a timestamp further ahead than this is refused here.
 */
export const MAX_FUTURE_SKEW_SECONDS = 5 * 60;

/**
 * The bot's HTTP front: `GET /healthz` (is Redis reachable?), `GET /metrics` and `POST /slack/events`, which refuses
 * requests stamped in the future before Bolt sees them (Bolt itself refuses only old ones and bad
 * signatures), then hands the request to Bolt's receiver untouched.
 */
export function createBotHttpServer(options: {
  slackListener: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  health: () => Promise<boolean>;
  /** Serves `GET /metrics` (Prometheus) when given. */
  metrics?: Metrics | undefined;
  logger: Logger;
  now?: () => number;
}): Server {
  const now = options.now ?? Date.now;
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      options.health().then(
        (up) => respond(res, up ? 200 : 503, { ok: up, redis: up ? 'up' : 'down' }),
        () => respond(res, 503, { ok: false, redis: 'down' }),
      );
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && options.metrics) {
      void serveMetrics(options.metrics, res);
      return;
    }
    if (path === EVENTS_PATH && options.slackListener) {
      const stamp = Number(req.headers['x-slack-request-timestamp']);
      if (Number.isFinite(stamp) && stamp > now() / 1000 + MAX_FUTURE_SKEW_SECONDS) {
        options.logger.warn('refused a Slack request stamped in the future', { timestamp: stamp });
        req.resume();
        respond(res, 401, { ok: false, error: 'request timestamp is in the future' });
        return;
      }
      options.slackListener(req, res);
      return;
    }
    req.resume();
    respond(res, 404, { ok: false, error: 'not found' });
  });
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function listen(server: Server, port: number, host = '0.0.0.0'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
