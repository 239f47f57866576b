import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../shared/logger.js';

/**
 * What the service counts, for Prometheus (`GET /metrics`). One registry per process (tests make their
 * own). Labels are bounded sets — statuses, method names, endpoint templates — never ids or user text,
 * so a scrape leaks nothing and its size does not grow with the data.
 */
export interface MetricsSources {
  /** Migrations by record state (the bot and the worker read the same records). */
  migrationStates?: () => Promise<Record<string, number>>;
  /** BullMQ jobs by state. */
  queueJobs?: () => Promise<Record<string, number>>;
  /** Reports owed to a thread (delivery failed, retried by the reports queue). */
  reportsOwed?: () => Promise<number>;
}

export function createMetrics(options: { processMetrics?: boolean; logger?: Logger } = {}) {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'migrate_' });
  const sources: MetricsSources = {};

  /** A gauge read at scrape time; a source that fails leaves the gauge empty rather than the scrape. */
  const scraped = (name: string, help: string, labelNames: string[], read: (g: Gauge) => Promise<void>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        await read(this).catch((error: unknown) =>
          options.logger?.warn('a metric could not be read for this scrape; it is left empty', {
            name,
            error,
          }),
        );
      },
    });
  const fill = (gauge: Gauge, label: string, values: Record<string, number>) => {
    for (const [value, count] of Object.entries(values)) gauge.set({ [label]: value }, count);
  };

  scraped('migrate_migrations', 'Migrations by state (recent records)', ['state'], async (g) => {
    if (sources.migrationStates) fill(g, 'state', await sources.migrationStates());
  });
  scraped('migrate_queue_jobs', 'Migration jobs in the queue by BullMQ state', ['state'], async (g) => {
    if (sources.queueJobs) fill(g, 'state', await sources.queueJobs());
  });
  scraped('migrate_reports_owed', 'Reports not yet delivered to their thread', [], async (g) => {
    if (sources.reportsOwed) g.set(await sources.reportsOwed());
  });

  return {
    registry,
    /** Adds scrape-time readers (the first one given for each stays). */
    observe(more: MetricsSources) {
      for (const key of Object.keys(more) as (keyof MetricsSources)[])
        if (!sources[key]) Object.assign(sources, { [key]: more[key] });
    },
    migrationsFinished: new Counter({
      name: 'migrate_migrations_finished_total',
      help: 'Migration runs that ended, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    accounts: new Counter({
      name: 'migrate_accounts_total',
      help: 'Accounts whose outcome was recorded, by CSV status',
      labelNames: ['status'],
      registers,
    }),
    nylasRequests: new Counter({
      name: 'migrate_nylas_requests_total',
      help: 'Nylas HTTP responses by endpoint template and status (429s included); status "error" = no response',
      labelNames: ['method', 'endpoint', 'status'],
      registers,
    }),
    nylasRetries: new Counter({
      name: 'migrate_nylas_retries_total',
      help: 'Nylas requests retried, by endpoint template',
      labelNames: ['method', 'endpoint'],
      registers,
    }),
    nylasDuration: new Histogram({
      name: 'migrate_nylas_request_duration_seconds',
      help: 'Nylas response time per attempt',
      labelNames: ['method', 'endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers,
    }),
    rateBudgetWait: new Histogram({
      name: 'migrate_rate_budget_wait_seconds',
      help: 'Time a Migration API request waited for its slot in the shared per-app budget',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    rateBudgetDiscarded: new Counter({
      name: 'migrate_rate_budget_discarded_slots_total',
      help: 'Budget slots given up because they came too late to use safely',
      registers,
    }),
    slackCalls: new Counter({
      name: 'migrate_slack_api_calls_total',
      help: 'Slack Web API calls by method and result (ok, or the error code)',
      labelNames: ['method', 'result'],
      registers,
    }),
    slackRateLimited: new Counter({
      name: 'migrate_slack_rate_limited_total',
      help: 'Slack 429 answers by method',
      labelNames: ['method'],
      registers,
    }),
    leaseEvents: new Counter({
      name: 'migrate_lease_events_total',
      help: 'v2-app leases acquired, lost, and runs handed back to the queue',
      labelNames: ['event'],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The Prometheus text exposition of `metrics`. */
export async function renderMetrics(metrics: Metrics): Promise<{ contentType: string; body: string }> {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
