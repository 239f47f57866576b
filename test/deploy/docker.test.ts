/**
 * The container deployment: one image whose final stage runs the compiled build as a non-root user
 * with production dependencies only, and a compose file whose Redis is set up as BullMQ requires and
 * whose worker can be scaled. `docker compose config` runs only where the Compose plugin exists (the
 * test says so when it skips); everything else is checked by reading the files.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { silentLogger } from '../../src/shared/logger.js';
import { createBotHttpServer, listen } from '../../src/slack/http-server.js';
import { argsOf, dockerfileStages } from './dockerfile.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  container_name?: string;
  ports?: unknown[];
  environment?: Record<string, string>;
  healthcheck?: { disable?: boolean };
}
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
const stages = dockerfileStages(read('Dockerfile'));
const final = stages.at(-1) ?? [];

/** An exec-form instruction (`["node", "dist/main.js"]`) as its words. */
const execForm = (args: string) => JSON.parse(args) as string[];
const words = (command: Service['command']) =>
  Array.isArray(command) ? command : (command ?? '').split(/\s+/).filter(Boolean);

describe('Dockerfile', () => {
  it('is multi-stage and its final stage installs production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const installs = argsOf(final, 'RUN').filter((run) => run.includes('npm ci'));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain('--omit=dev');
    expect(installs[0]).toContain('--ignore-scripts'); // `prepare` would need typescript
    expect(argsOf(final, 'COPY')).toContainEqual(expect.stringMatching(/^--from=\S+\s+\/app\/dist\s/));
  });

  it('runs as a non-root user', () => {
    const users = argsOf(final, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
  });

  it('starts what `npm start` starts, and that file is in the build', () => {
    const cmd = execForm(argsOf(final, 'CMD').at(-1) ?? '[]');
    expect(cmd.join(' ')).toBe(pkg.scripts.start);
    expect(cmd[1]).toBe('dist/main.js');
    expect(existsSync(join(root, cmd[1] ?? ''))).toBe(true); // test/global-setup.ts built dist/
  });

  it('has a health check on /healthz', () => {
    const checks = argsOf(final, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatch(/CMD .*\/healthz/);
  });
});

describe("the image's health check command", () => {
  let healthy = true;
  const server = createBotHttpServer({
    slackListener: undefined,
    health: async () => healthy,
    logger: silentLogger,
  });
  let port = 0;
  beforeAll(async () => {
    port = await listen(server, 0, '127.0.0.1');
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Runs the HEALTHCHECK's `node -e "…"` script as Docker would, against the bot's real HTTP server. */
  const check = (env: Record<string, string>) => {
    const script = /node -e "(.*)"$/.exec(argsOf(final, 'HEALTHCHECK')[0] ?? '')?.[1];
    expect(script, 'HEALTHCHECK runs node -e "…"').toBeDefined();
    return new Promise<number | null>((resolve) => {
      spawn(process.execPath, ['-e', script ?? ''], { env: { PATH: process.env.PATH ?? '', ...env } }).on(
        'exit',
        resolve,
      );
    });
  };

  it('passes when /healthz says Redis is up, fails when it is down or nothing answers', async () => {
    healthy = true;
    expect(await check({ PORT: String(port) })).toBe(0);
    healthy = false;
    expect(await check({ PORT: String(port) })).toBe(1);
    expect(await check({ PORT: '1' })).toBe(1);
  });
});

describe('compose.yaml', () => {
  const { redis, bot, worker } = compose.services;

  it('runs Redis with AOF and noeviction, as BullMQ requires', () => {
    const command = words(redis?.command).join(' ');
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
  });

  it('runs one bot and a worker from the same image, each with a script that package.json has', () => {
    expect(bot?.build).toEqual(worker?.build);
    expect(bot?.image).toBeDefined();
    expect(bot?.image).toBe(worker?.image);
    expect(words(bot?.command).join(' ')).toBe(pkg.scripts.bot);
    expect(words(worker?.command).join(' ')).toBe(pkg.scripts.worker);
    for (const service of [bot, worker]) expect(service?.environment?.REDIS_URL).toBe('redis://redis:6379');
  });

  it('lets the worker scale: no fixed name, no host port, no /healthz to wait for', () => {
    expect(worker?.container_name).toBeUndefined();
    expect(worker?.ports).toBeUndefined();
    expect(worker?.healthcheck?.disable).toBe(true);
    expect(bot?.ports).toContain('3000:3000');
    expect(bot?.environment?.PORT).toBe('3000');
  });
});

/** `docker compose` needs the Compose plugin, not an engine; without it this check is reported as skipped. */
const composeAvailable = (() => {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!composeAvailable)('docker compose config (needs the Docker Compose plugin)', () => {
  it('accepts compose.yaml and sees redis, bot and worker', () => {
    const out = execFileSync('docker', ['compose', '--file', 'compose.yaml', 'config', '--format', 'json'], {
      cwd: root,
      encoding: 'utf8',
    });
    const services = (JSON.parse(out) as { services: Record<string, unknown> }).services;
    expect(Object.keys(services).sort()).toEqual(['bot', 'redis', 'worker']);
  });
});

describe('.dockerignore', () => {
  it('keeps local state out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'dist', '.git', '.env', 'coverage', 'demo-output', 'test'])
      expect(ignored).toContain(entry);
  });
});
