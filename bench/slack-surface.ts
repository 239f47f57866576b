/**
 * The Slack side: how fast /migrate and the form submission are acked (p50/p99 over signed requests to
 * Bolt's real HTTP receiver), and how many Slack Web API calls a whole migration makes at 100 and at
 * 5,000 accounts (bounded by a constant: ≤ 130, thread replies the same count at both sizes).
 */
import { silentLogger } from '../src/shared/logger.js';
import { LOCAL_APPS, type LocalStack, startLocalStack } from '../testkit/local-stack.js';
import { commandBody, formValues, postToBot, viewSubmission } from '../testkit/slack-sim/driver.js';
import {
  type BenchCheck,
  type BenchRow,
  benchPrefix,
  REDIS_URL,
  round,
  type ScenarioResult,
  sleep,
} from './setup.js';

const SLACK_CALL_BOUND = 130;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

export async function runAckLatency(requests = 300): Promise<ScenarioResult> {
  const stack = await startLocalStack({
    accounts: 10,
    redisUrl: REDIS_URL,
    prefix: benchPrefix('ack'),
    logger: silentLogger,
  });
  try {
    // Warm up: the first users.info and the first Redis round trips are not what Slack sees after.
    await postToBot(stack.botUrl, commandBody({ userId: 'U_ADMIN' }));
    const commandMs: number[] = [];
    for (let i = 0; i < requests; i++)
      commandMs.push((await postToBot(stack.botUrl, commandBody({ userId: 'U_ADMIN' }))).ms);
    const opened = await waitFor(() => stack.slack.views().find((v) => v.kind === 'open'), 10_000);
    const view = opened.view as { callback_id: string; private_metadata: string };
    const submitMs: number[] = [];
    for (let i = 0; i < requests; i++) {
      const body = viewSubmission({
        userId: 'U_ADMIN',
        view: { callback_id: view.callback_id, private_metadata: view.private_metadata },
        values: formValues({
          v2AppId: LOCAL_APPS.v2.clientId,
          v3AppId: LOCAL_APPS.v3.applicationId,
          title: `Bench ${i}`,
        }),
      });
      const answer = await postToBot(stack.botUrl, body);
      if ((answer.json as { response_action?: string } | undefined)?.response_action !== 'push')
        throw new Error(`form refused: ${answer.text}`);
      submitMs.push(answer.ms);
    }
    const rows: BenchRow[] = [];
    const checks: BenchCheck[] = [];
    for (const [name, samples] of [
      ['ack /migrate', commandMs],
      ['ack form submission', submitMs],
    ] as const) {
      const sorted = [...samples].sort((a, b) => a - b);
      const p50 = round(percentile(sorted, 50), 1);
      const p99 = round(percentile(sorted, 99), 1);
      rows.push({
        scenario: name,
        accounts: 0,
        notes: `${samples.length} signed requests: p50 ${p50} ms, p99 ${p99} ms, max ${round(sorted.at(-1) ?? 0, 1)} ms`,
      });
      checks.push({ pass: p99 < 50, text: `${name}: p99 ${p99} ms < 50 ms` });
    }
    return { rows, checks };
  } finally {
    await stack.close();
  }
}

async function migrateOnce(
  stack: LocalStack,
): Promise<{ calls: number; replies: number; byMethod: Record<string, number> }> {
  const command = await postToBot(stack.botUrl, commandBody({ userId: 'U_ADMIN' }));
  if (command.status !== 200) throw new Error(`command refused: ${command.text}`);
  const opened = await waitFor(() => stack.slack.views().find((v) => v.kind === 'open'), 10_000);
  const formView = opened.view as { callback_id: string; private_metadata: string };
  const form = await postToBot(
    stack.botUrl,
    viewSubmission({
      userId: 'U_ADMIN',
      view: { callback_id: formView.callback_id, private_metadata: formView.private_metadata },
      values: formValues({
        v2AppId: LOCAL_APPS.v2.clientId,
        v3AppId: LOCAL_APPS.v3.applicationId,
        title: 'Bench',
      }),
    }),
  );
  const confirm = (form.json as { view: { callback_id: string; private_metadata: string } }).view;
  await postToBot(stack.botUrl, viewSubmission({ userId: 'U_ADMIN', view: confirm, values: {} }));
  const parent = await waitFor(
    () => stack.slack.messages('C_GENERAL').find((m) => m.text.startsWith('Migration "')),
    10_000,
  );
  await waitFor(async () => {
    const files = stack.slack.files('C_GENERAL', parent.ts);
    const done = stack.slack
      .thread('C_GENERAL', parent.ts)
      .some((m) => /^Migration (finished|cancelled|stopped)/.test(m.text));
    return files.length > 0 && done ? true : undefined;
  }, 20 * 60_000);
  // Let the last parent edit land before counting.
  await sleep(500);
  const calls = stack.slack.calls();
  const byMethod: Record<string, number> = {};
  for (const call of calls) byMethod[call.method] = (byMethod[call.method] ?? 0) + 1;
  return { calls: calls.length, replies: stack.slack.thread('C_GENERAL', parent.ts).length, byMethod };
}

export async function runSlackCalls(sizes: number[] = [100, 5_000]): Promise<ScenarioResult> {
  const rows: BenchRow[] = [];
  const checks: BenchCheck[] = [];
  const replyCounts: number[] = [];
  for (const accounts of sizes) {
    // The simulator runs at 100 req/s here (not Nylas's 20) so 5,000 accounts take a minute, not four.
    const stack = await startLocalStack({
      accounts,
      nylas: { migrationRateLimit: 100, latencyMs: { min: 20, max: 60 } },
      redisUrl: REDIS_URL,
      prefix: benchPrefix('slack'),
      logger: silentLogger,
      worker: { ratePerSecond: 95 },
    });
    const started = performance.now();
    try {
      const result = await migrateOnce(stack);
      replyCounts.push(result.replies);
      const methods = Object.entries(result.byMethod)
        .sort(([, a], [, b]) => b - a)
        .map(([method, n]) => `${method} ${n}`)
        .join(', ');
      rows.push({
        scenario: `slack calls, ${accounts} accounts`,
        accounts,
        wallS: round((performance.now() - started) / 1000, 1),
        notes: `${result.calls} Web API calls (${methods}); ${result.replies} thread replies`,
      });
      checks.push({
        pass: result.calls <= SLACK_CALL_BOUND,
        text: `slack calls at ${accounts} accounts: ${result.calls} ≤ ${SLACK_CALL_BOUND}`,
      });
    } finally {
      await stack.close();
    }
  }
  if (replyCounts.length > 1) {
    checks.push({
      pass: new Set(replyCounts).size === 1,
      text: `thread replies the same at every size: ${replyCounts.join(' / ')}`,
    });
  }
  return { rows, checks };
}
