/**
 * Runs the benchmarks in sequence and prints one markdown table, then a PASS/FAIL line per check.
 * Always exits 0: benchmarks report, they don't gate.
 *
 *   npx tsx bench/run.ts                                  # everything, full sizes
 *   npx tsx bench/run.ts --only clone-1-worker --accounts 200
 *   npx tsx bench/run.ts --only clone-3-workers           # both 3-worker rows (a name prefix selects)
 *   npx tsx bench/run.ts --only report-100k --accounts 20000
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { runCloneScenario } from './clone-rate.js';
import { runReportScenario } from './report-100k.js';
import type { BenchCheck, BenchRow, ScenarioResult } from './setup.js';
import { runAckLatency, runSlackCalls } from './slack-surface.js';

const CLONE_ACCOUNTS = 2_000;
const REPORT_ROWS = 100_000;

interface Scenario {
  name: string;
  run(accounts: number | undefined): Promise<ScenarioResult>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'clone-1-worker',
    run: (n) =>
      runCloneScenario({ name: 'clone-1-worker', accounts: n ?? CLONE_ACCOUNTS, workers: 1, apps: 1 }),
  },
  {
    name: 'clone-3-workers-1-app',
    run: (n) =>
      runCloneScenario({ name: 'clone-3-workers-1-app', accounts: n ?? CLONE_ACCOUNTS, workers: 3, apps: 1 }),
  },
  {
    name: 'clone-3-workers-3-apps',
    run: (n) =>
      runCloneScenario({
        name: 'clone-3-workers-3-apps',
        accounts: n ?? CLONE_ACCOUNTS,
        workers: 3,
        apps: 3,
        // One migration per process, so the three runs really share nothing but Redis and the network.
        workerConcurrency: 1,
      }),
  },
  {
    // Issue 8's row: 2 v3 apps × 1,000 accounts, 4 workers, every key on a real 3-master Redis Cluster.
    name: 'clone-cluster-4-workers-2-apps',
    run: (n) =>
      runCloneScenario({
        name: 'clone-cluster-4-workers-2-apps',
        accounts: n ?? 2_000,
        workers: 4,
        apps: 2,
        cluster: true,
      }),
  },
  {
    name: 'report-100k',
    run: (n) => runReportScenario({ rows: n ?? REPORT_ROWS }),
  },
  {
    name: 'slack-ack-latency',
    run: () => runAckLatency(300),
  },
  {
    name: 'slack-calls',
    run: (n) => runSlackCalls(n === undefined ? [100, 5_000] : [Math.min(100, n), n]),
  },
];

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    accounts: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(
    `usage: npx tsx bench/run.ts [--only <name>[,<name>]] [--accounts <n>]\n` +
      `scenarios: ${SCENARIOS.map((s) => s.name).join(', ')} (a prefix such as "clone-3-workers" selects several)\n` +
      `--accounts: accounts per clone scenario (default ${CLONE_ACCOUNTS}), rows of the large report (default ${REPORT_ROWS})\n`,
  );
  process.exit(0);
}

const accounts = values.accounts === undefined ? undefined : Number(values.accounts);
if (accounts !== undefined && !(Number.isInteger(accounts) && accounts >= 3)) {
  process.stderr.write(`--accounts must be an integer ≥ 3, got ${values.accounts}\n`);
  process.exit(2);
}
const wanted = (values.only ?? []).flatMap((o) => o.split(',')).filter((o) => o !== '');
const selected =
  wanted.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => wanted.some((w) => s.name.startsWith(w)));
if (selected.length === 0) {
  process.stderr.write(
    `no scenario matches ${wanted.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}

const rows: BenchRow[] = [];
const checks: BenchCheck[] = [];
for (const scenario of selected) {
  const started = performance.now();
  process.stderr.write(`running ${scenario.name}…\n`);
  try {
    const result = await scenario.run(accounts);
    rows.push(...result.rows);
    checks.push(...result.checks);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    rows.push({ scenario: scenario.name, accounts: accounts ?? 0, notes: `ERROR: ${message}` });
    checks.push({ pass: false, text: `${scenario.name}: ran to completion (${message})` });
    process.stderr.write(
      `${scenario.name} failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
  }
  process.stderr.write(`  ${scenario.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const dash = (value: number | undefined) => (value === undefined ? '—' : String(value));
const header = [
  'scenario',
  'accounts',
  'workers',
  'wall s',
  'clone rate /s',
  'run cloneRate /s',
  'rate ÷ limit',
  'max req in any 1 s',
  '429s',
  'duplicates',
  'CPU ms/account',
  'peak RSS MB',
  'notes',
];
const lines = [
  `node ${process.version}, ${availableParallelism()} CPUs, ${new Date().toISOString()}`,
  '',
  `| ${header.join(' | ')} |`,
  `|${header.map((h) => (h === 'scenario' || h === 'notes' ? ' --- ' : ' ---: ')).join('|')}|`,
  ...rows.map(
    (r) =>
      `| ${[
        r.scenario,
        String(r.accounts),
        dash(r.workers),
        dash(r.wallS),
        dash(r.cloneRate),
        dash(r.runCloneRate),
        dash(r.rateOfLimit),
        dash(r.maxInAnySecond),
        dash(r.rateLimited),
        dash(r.duplicates),
        dash(r.cpuMsPerAccount),
        dash(r.peakRssMb),
        r.notes ?? '',
      ].join(' | ')} |`,
  ),
  '',
  ...checks.map((c) => `${c.pass ? 'PASS' : 'FAIL'} ${c.text}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
// No process.exit: every scenario closes its servers, connections and children, so node exits by itself.
