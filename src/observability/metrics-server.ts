import { createServer, type Server, type ServerResponse } from 'node:http';
import { type Metrics, renderMetrics } from './metrics.js';

/** `GET /metrics` alone, for a worker process (`METRICS_PORT`); the bot serves it on its own port. */
export function createMetricsServer(metrics: Metrics): Server {
  return createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/metrics') {
      void serveMetrics(metrics, res);
      return;
    }
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}

/** Writes the exposition, or a 500 with one line if collecting failed. */
export async function serveMetrics(metrics: Metrics, res: ServerResponse): Promise<void> {
  try {
    const { contentType, body } = await renderMetrics(metrics);
    res.writeHead(200, { 'content-type': contentType }).end(body);
  } catch {
    res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
  }
}
