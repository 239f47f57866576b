import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSlackSim } from '../../testkit/slack-sim/index.js';

/** The compiled entry point that `npm start` runs (test/global-setup.ts builds it). */
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Starts the real entry point with plain node and exactly this environment; collects what it prints. */
function start(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
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
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function appsFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'startup-'));
  const path = join(dir, 'apps.yml');
  await writeFile(path, text);
  return path;
}

const base = { SLACK_BOT_TOKEN: 'xoxb-start-secret', SLACK_SIGNING_SECRET: 'signing-secret-start' };

describe('start-up with a configuration mistake', () => {
  it.each([
    ['a missing variable', {}, [], 'migrate-bot: SLACK_BOT_TOKEN is required (the bot token, xoxb-…)'],
    [
      'a malformed variable',
      { ...base, PORT: 'eighty' },
      [],
      'migrate-bot: PORT must be a whole number (got "eighty")',
    ],
    [
      'an unknown log level',
      { ...base, LOG_LEVEL: 'loud' },
      [],
      'migrate-bot: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    [
      'an unknown role',
      base,
      ['--role', 'boss'],
      'migrate-bot: --role must be one of all, bot, worker (got "boss")',
    ],
    [
      'a missing apps file',
      { ...base, NYLAS_APPS_FILE: '/nonexistent/apps.yml' },
      [],
      'migrate-bot: NYLAS_APPS_FILE /nonexistent/apps.yml does not exist',
    ],
  ])('%s: one line, exit code 2, no stack trace', async (_label, env, args, line) => {
    const result = await start(env as Record<string, string>, args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.stdout).toBe('');
  });

  it('an _env naming an unset variable: names the file and field, never a secret', async () => {
    const path = await appsFile(
      'v2_apps: [{id: a, region: us, client_secret: inline-topsecret}]\nv3_apps: [{id: b, region: us, api_key_env: ACME_KEY_NOT_SET}]\n',
    );
    const result = await start({ ...base, NYLAS_APPS_FILE: path });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `migrate-bot: NYLAS_APPS_FILE ${path}: v3_apps[0].api_key_env names ACME_KEY_NOT_SET, which is not set\n`,
    );
    expect(result.stderr + result.stdout).not.toMatch(/topsecret|xoxb-start|signing-secret/);
  });

  it('a mistake only Slack can reveal (SLACK_TEAM_ID of another workspace): one line, exit code 2', async () => {
    const slack = await startSlackSim();
    try {
      const path = await appsFile(
        'v2_apps: [{id: a, region: us, client_secret: s}]\nv3_apps: [{id: b, region: us, api_key: k}]\n',
      );
      const result = await start({
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: 'signing-secret-start',
        SLACK_API_URL: slack.apiUrl,
        SLACK_TEAM_ID: 'T_ELSEWHERE',
        NYLAS_APPS_FILE: path,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'migrate-bot: SLACK_TEAM_ID T_ELSEWHERE is not the workspace SLACK_BOT_TOKEN belongs to (T_TEST)\n',
      );
    } finally {
      await slack.close();
    }
  });
});
