/** The simulator's CLI: flag parsing, the printed registry and env lines, clean shutdown. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import { parseCliArgs } from '../../testkit/nylas-sim/cli.js';
import { basicV2 } from './nylas-helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../testkit/nylas-sim/cli.ts', import.meta.url));

function runCli(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

function collect(stream: NodeJS.ReadableStream | null): { text: () => string } {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { text: () => text };
}

describe('parseCliArgs', () => {
  it('has defaults and reads every flag', () => {
    expect(parseCliArgs([])).toEqual({
      ok: true,
      options: { accounts: 500, port: 4010, latency: 0, rate: 20, seed: undefined },
    });
    expect(
      parseCliArgs(['--accounts', '7', '--port', '0', '--latency', '50', '--rate', '5', '--seed', '3']),
    ).toEqual({
      ok: true,
      options: { accounts: 7, port: 0, latency: 50, rate: 5, seed: 3 },
    });
  });

  it.each([
    [['--accounts', 'many'], '--accounts'],
    [['--port', '70000'], '--port'],
    [['--rate', '0'], '--rate'],
    [['--latency', '-1'], '--latency'],
    [['--seed', '1.5'], '--seed'],
    [['--bogus', '1'], '--bogus'],
  ])('refuses %j naming %s', (args, flag) => {
    const parsed = parseCliArgs(args);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(flag);
  });
});

describe('nylas-sim CLI process', () => {
  it('exits 2 with one line naming a bad flag', async () => {
    const child = runCli(['--accounts', 'lots']);
    const stderr = collect(child.stderr);
    const stdout = collect(child.stdout);
    expect(await exited(child)).toBe(2);
    expect(stderr.text().trim().split('\n')).toHaveLength(1);
    expect(stderr.text()).toContain('--accounts');
    expect(stdout.text()).toBe('');
  });

  it('prints a usable registry and env lines, serves them, and closes on SIGTERM', async () => {
    const child = runCli(['--accounts', '30', '--port', '0', '--seed', '1']);
    const stdout = collect(child.stdout);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', () => {
        if (stdout.text().includes('NYLAS_V3_API_URL_EU=')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    const output = stdout.text();
    const url = /NYLAS_V3_API_URL_US=(\S+)/.exec(output)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const name of ['NYLAS_V2_API_URL_US', 'NYLAS_V2_API_URL_EU', 'NYLAS_V3_API_URL_EU']) {
      expect(output).toContain(`${name}=${url}`);
    }

    const registry = parse(output) as {
      v2_apps: { id: string; name: string; region: string; client_secret: string }[];
      v3_apps: { id: string; name: string; region: string; api_key: string }[];
    };
    expect(registry.v2_apps.map((a) => [a.id, a.region])).toEqual([
      ['sim-v2-us', 'us'],
      ['sim-v2-eu', 'eu'],
    ]);
    expect(registry.v3_apps.map((a) => a.id)).toEqual([
      'sim-v3-us',
      'sim-v3-us-spare',
      'sim-v3-eu',
      'sim-v3-eu-spare',
    ]);

    // The printed credentials work against the printed URL.
    const v2 = registry.v2_apps[0];
    const v3 = registry.v3_apps[0];
    if (v2 === undefined || v3 === undefined) throw new Error('registry is missing apps');
    const accounts = await fetch(`${url}/a/${v2.id}/accounts?limit=100`, {
      headers: { authorization: `Basic ${Buffer.from(`${v2.client_secret}:`).toString('base64')}` },
    });
    expect(((await accounts.json()) as unknown[]).length).toBe(30);
    const linked = await fetch(`${url}/v3/migration-tools/link-v2v3-apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${v3.api_key}`, BasicV2: basicV2(v2.id, v2.client_secret) },
    });
    expect(linked.status).toBe(200);
    const eu = registry.v2_apps[1];
    if (eu === undefined) throw new Error('registry is missing the EU app');
    const crossRegion = await fetch(`${url}/v3/migration-tools/link-v2v3-apps`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${registry.v3_apps[1]?.api_key}`,
        BasicV2: basicV2(eu.id, eu.client_secret),
      },
    });
    expect(crossRegion.status).toBe(400);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});
