import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEADER =
  'v2_account_id,email,provider,v2_sync_state,v2_billing_state,status,v3_grant_id,grant_status,error_type,error_message,action_required';
const ACCOUNTS = 40;
const EXIT_TIMEOUT_MS = 90_000;

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `tools/demo/main.ts` as `npm run demo` would (tsx), writing into `outDir`. */
function runDemo(outDir: string, args: string[]): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/demo/main.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DEMO_OUTPUT_DIR: outDir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, EXIT_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
}

describe('npm run demo', () => {
  let outDir: string;
  let run: DemoRun;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'migrate-bot-demo-test-'));
    run = await runDemo(outDir, ['--accounts', String(ACCOUNTS)]);
  }, EXIT_TIMEOUT_MS + 15_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('runs the whole flow and exits 0', () => {
    expect(run.code, `stderr:\n${run.stderr}\nstdout:\n${run.stdout.slice(-3000)}`).toBe(0);
  });

  it('writes the uploaded CSV report: the contract header and one row per account', async () => {
    const files = await readdir(outDir);
    const csvName = files.find((name) => /^migration-report-.+\.csv$/.test(name));
    expect(csvName, `files in the output dir: ${files.join(', ')}`).toBeDefined();
    const csv = await readFile(join(outDir, csvName ?? ''), 'utf8');
    expect(csv.split(/\r?\n/, 1)[0]).toBe(HEADER);
    const rows = parse(csv, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(ACCOUNTS);
    for (const row of rows)
      expect(['migrated', 'placeholder', 'failed', 'skipped', 'cancelled']).toContain(row.status);
    expect(run.stdout).toContain(csvName);
  });

  it('prints the thread as it unfolds', () => {
    const out = run.stdout;
    for (const text of [
      '/migrate',
      'views.open',
      '[Create app]',
      'response_action: clear',
      'is waiting for a second admin',
      'presses Approve',
      'Approved by @Otto Owner at',
      'Preflight passed',
      'Linked v2 application acme-v2-us to v3 application acme-v3-us',
      'Connectors copied to v3',
      `Found ${ACCOUNTS} accounts`,
      'Migration finished',
      'Follow-up checklist',
      `${ACCOUNTS} accounts —`,
      'clones/s',
    ]) {
      expect(out, `missing "${text}"`).toContain(text);
    }
    // In this order, as in the thread.
    const order = [
      'Preflight passed',
      'Linked',
      'Connectors copied',
      'Migration finished',
      '✔ Migration completed',
      'App Home',
    ];
    const positions = order.map((text) => out.indexOf(text));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('runs a plan first, prints its thread, then Migrate now leads to Create app', () => {
    const out = run.stdout;
    const order = [
      '[Plan first (no changes)]',
      'Plan thread',
      `Predicted outcome of ${ACCOUNTS} accounts`,
      'Webhooks to recreate on v3',
      'migration-plan-',
      '[Migrate now]',
      'click "Migrate now"',
      'response_action: clear',
      'Preflight passed',
    ];
    const positions = order.map((text) => out.indexOf(text));
    expect(
      positions.every((p) => p >= 0),
      `missing one of ${order.join(' | ')}`,
    ).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('saves the thread and the apps registry beside the report', async () => {
    const thread = await readFile(join(outDir, 'thread.txt'), 'utf8');
    expect(thread).toContain('Migration Acme Mail finished');
    expect(thread).toContain('Migration finished');
    const registry = await readFile(join(outDir, 'nylas-apps.demo.yml'), 'utf8');
    expect(registry).toMatch(/v2_apps:[\s\S]*v3_apps:/);
  });

  it('ends with the App Home as the admin sees it, printed and saved', async () => {
    const home = await readFile(join(outDir, 'home.txt'), 'utf8');
    expect(home).toContain('# Nylas v2 → v3 migrations');
    expect(home).toContain('*Acme Mail* · Production');
    expect(home).toMatch(new RegExp(`completed · ${ACCOUNTS} accounts`));
    expect(home).toContain('requested by @Ada Admin');
    expect(home).toContain('[Re-upload report]');
    expect(run.stdout).toContain('*Acme Mail* · Production');
  });
});
