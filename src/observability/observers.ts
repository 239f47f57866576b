import type { HttpEvent } from '../nylas/http-core.js';
import { endpointOf } from './endpoint.js';
import type { Metrics } from './metrics.js';

/** Error types of the HTTP core for attempts that got no answer (src/nylas/http-core.ts). */
const NO_ANSWER = new Set(['timeout', 'network_error']);

/** Feeds the Nylas HTTP core's events (no headers, queries or bodies) into the request metrics. */
export function observeNylasHttp(metrics: Metrics): (event: HttpEvent) => void {
  return (event) => {
    const labels = { method: event.method, endpoint: endpointOf(event.path) };
    switch (event.type) {
      case 'response':
        metrics.nylasRequests.inc({ ...labels, status: String(event.status) });
        metrics.nylasDuration.observe(labels, event.durationMs / 1000);
        return;
      case 'retry':
      case 'failure':
        if (event.type === 'retry') metrics.nylasRetries.inc(labels);
        // No answer at all: counted with the statuses, as what it is (answers were counted above).
        if (NO_ANSWER.has(event.reason)) metrics.nylasRequests.inc({ ...labels, status: event.reason });
        return;
    }
  };
}

/** Chains two optional event hooks (a caller's own and the metrics'). */
export function bothHooks<E>(a: ((event: E) => void) | undefined, b: (event: E) => void): (event: E) => void {
  if (!a) return b;
  return (event) => {
    a(event);
    b(event);
  };
}
