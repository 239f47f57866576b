import { afterEach, describe, expect, it } from 'vitest';
import { startServices } from '../../src/app/services.js';
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import { loadEnv } from '../../src/config/env.js';
import { silentLogger } from '../../src/shared/logger.js';
import { freePort } from '../../testkit/free-port.js';
import { startSlackSim } from '../../testkit/slack-sim/index.js';
import { parseCsv } from '../helpers/expected-rows.js';
import { scrape, sumOf } from '../helpers/prometheus.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { type Stack, startStack } from '../helpers/stack.js';
import { V2_APP, V3_APP } from '../helpers/worker-harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const CLONE = '/v3/migration-tools/grants/{id}/clone';

describe('GET /metrics (Prometheus)', () => {
  it('shows a run while it runs, then the counts its CSV implies, with no ids in any label', async () => {
    // 20/s: 150 accounts take several seconds, so a scrape lands while the run is running.
    stack = await startStack({ accounts: 150, ratePerSecond: 20 });
    const s = stack;
    const metricsUrl = `${s.botUrl}/metrics`;
    await s.startMigration('U_ADMIN');
    await s.waitForRecord(['running']);
    const during = await scrape(metricsUrl);
    expect(during.contentType).toMatch(/^text\/plain/);
    expect(sumOf(during.samples, 'migrate_migrations', { state: 'running' })).toBe(1);
    expect(sumOf(during.samples, 'migrate_queue_jobs', { state: 'active' })).toBe(1);
    expect(sumOf(during.samples, 'migrate_lease_events_total', { event: 'acquired' })).toBe(1);

    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    const parent = s.slack.messages('C_GENERAL').find((m) => m.text.startsWith('Migration "'));
    if (!parent) throw new Error('no parent message');
    const file = await s.waitFor('the CSV', () => s.slack.files('C_GENERAL', parent.ts)[0]);
    const { rows } = parseCsv(file.text);
    const after = await scrape(metricsUrl);

    // Accounts by outcome: exactly the CSV's statuses.
    const byStatus = new Map<string, number>();
    for (const row of rows) byStatus.set(row.status ?? '', (byStatus.get(row.status ?? '') ?? 0) + 1);
    expect(byStatus.size).toBeGreaterThan(1);
    for (const [status, count] of byStatus)
      expect({ status, count: sumOf(after.samples, 'migrate_accounts_total', { status }) }).toEqual({
        status,
        count,
      });
    expect(sumOf(after.samples, 'migrate_accounts_total')).toBe(rows.length);
    expect(sumOf(after.samples, 'migrate_migrations_finished_total', { outcome: 'completed' })).toBe(1);
    expect(sumOf(after.samples, 'migrate_migrations', { state: 'completed' })).toBe(1);
    expect(sumOf(after.samples, 'migrate_queue_jobs', { state: 'active' })).toBe(0);

    // Every clone request Nylas received was counted, with its status (429s would be among them).
    const cloneCalls = Object.values(s.nylas.counters().cloneCalls).reduce((sum, n) => sum + n, 0);
    expect(cloneCalls).toBeGreaterThan(0);
    expect(sumOf(after.samples, 'migrate_nylas_requests_total', { method: 'POST', endpoint: CLONE })).toBe(
      cloneCalls,
    );
    expect(
      sumOf(after.samples, 'migrate_nylas_requests_total', { endpoint: CLONE, status: '200' }),
    ).toBeGreaterThanOrEqual(rows.filter((r) => r.v3_grant_id !== '').length);
    // Each Migration API attempt waited for its slot in the budget, and each wait was measured.
    expect(sumOf(after.samples, 'migrate_rate_budget_wait_seconds_count')).toBeGreaterThanOrEqual(cloneCalls);
    // The thread's messages went through the counted client.
    expect(
      sumOf(after.samples, 'migrate_slack_api_calls_total', { method: 'chat.postMessage', result: 'ok' }),
    ).toBeGreaterThan(1);
    // …and so did the questions asked before an ack (is the bot in the channel?), by the fast client.
    const reachChecks = s.slack.calls('conversations.info').length;
    expect(reachChecks).toBeGreaterThan(0);
    expect(sumOf(after.samples, 'migrate_slack_api_calls_total', { method: 'conversations.info' })).toBe(
      reachChecks,
    );
    expect(sumOf(after.samples, 'migrate_reports_owed')).toBe(0);

    // Labels are templates and statuses: no app, account or grant id, and no key.
    const accountId = rows[0]?.v2_account_id ?? '';
    const grantId = rows.find((r) => r.v3_grant_id !== '')?.v3_grant_id ?? '';
    for (const secretOrId of [V2_APP.clientId, V3_APP.applicationId, V3_APP.apiKey, accountId, grantId])
      expect(after.text).not.toContain(secretOrId);
  }, 90_000);

  it('a worker serves /metrics on METRICS_PORT', async () => {
    const port = await freePort();
    // The service learns its workspace from Slack (auth.test) at start: a stand-in answers.
    const slack = await startSlackSim();
    const env = loadEnv(
      { SLACK_BOT_TOKEN: slack.botToken, SLACK_API_URL: slack.apiUrl, REDIS_URL, METRICS_PORT: String(port) },
      'worker',
    );
    const registry = parseAppsRegistry(
      'v2_apps:\n  - {id: v2-a, name: A, region: us, client_secret: s}\nv3_apps:\n  - {id: v3-a, name: B, region: us, api_key: k}\n',
      'apps.yml',
      {},
    );
    const running = await startServices({
      env,
      registry,
      role: 'worker',
      logger: silentLogger,
      prefix: uniquePrefix('metrics'),
      bot: { host: '127.0.0.1' },
    });
    try {
      expect(running.metricsPort).toBe(port);
      const { samples, text } = await scrape(`http://127.0.0.1:${port}/metrics`);
      expect(text).toContain('# TYPE migrate_accounts_total counter');
      expect(sumOf(samples, 'migrate_queue_jobs', { state: 'waiting' })).toBe(0);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await running.close();
      await slack.close();
    }
  });
});
