import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type RunningServices, startServices } from '../../src/app/services.js';
import { type AppsRegistry, loadAppsRegistry } from '../../src/config/apps-registry.js';
import { loadEnv } from '../../src/config/env.js';
import type { Logger } from '../../src/shared/logger.js';
import { type NylasSim, type NylasSimOptions, startNylasSim } from '../../testkit/nylas-sim/index.js';
import { type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';

/** Nylas's own limit on migration-tools requests per second per v3 app; the worker paces at 19. */
export const NYLAS_MIGRATION_LIMIT = 20;
export const LATENCY_MS = { min: 40, max: 120 };
/** A few clone calls answer 500/502/503 once, to show retries; the run still completes cleanly. */
export const TRANSIENT_5XX_RATE = 0.01;

/** The demo's apps: a US pair (the one migrated) and an EU pair, so the form lists several. */
export const DEMO_APPS = {
  v2: [
    { id: 'acme-v2-us', name: 'Acme Mail (v2, US)', region: 'us', secret: 'sim-acme-v2-us-secret' },
    { id: 'acme-v2-eu', name: 'Acme Mail (v2, EU)', region: 'eu', secret: 'sim-acme-v2-eu-secret' },
  ],
  v3: [
    { id: 'acme-v3-us', name: 'Acme Mail (v3, US)', region: 'us', key: 'nyk_v0_sim_acme_us' },
    { id: 'acme-v3-eu', name: 'Acme Mail (v3, EU)', region: 'eu', key: 'nyk_v0_sim_acme_eu' },
  ],
} as const;
export const MIGRATED = { v2: DEMO_APPS.v2[0], v3: DEMO_APPS.v3[0] };
const EU_ACCOUNTS = 40;

export interface DemoWorld {
  nylas: NylasSim;
  slack: SlackSim;
  registry: AppsRegistry;
  registryPath: string;
  signingSecret: string;
  services: RunningServices;
  botUrl: string;
  prefix: string;
  simOptions: NylasSimOptions;
}

/** The apps registry file, in the design's format (inline secrets: they are the simulator's). */
export function registryYaml(): string {
  const document = {
    v2_apps: DEMO_APPS.v2.map((app) => ({
      id: app.id,
      name: app.name,
      region: app.region,
      client_secret: app.secret,
    })),
    v3_apps: DEMO_APPS.v3.map((app) => ({
      id: app.id,
      name: app.name,
      region: app.region,
      api_key: app.key,
    })),
  };
  return `# Written by \`npm run demo\`: the apps of the Nylas simulator. The secrets are the simulator's,
# not real ones; a real registry would rather use client_secret_env / api_key_env.
${stringify(document)}`;
}

type Closer = () => Promise<unknown>;

/**
 * Starts the simulators, writes and loads the apps registry, builds the environment as production
 * would parse it, and starts the bot and the worker in this process. Every started piece is pushed to
 * `closers` as soon as it runs, so an interruption half-way still stops it.
 */
export async function startWorld(input: {
  accounts: number;
  outDir: string;
  redisUrl: string;
  prefix: string;
  logger: Logger;
  closers: Closer[];
}): Promise<DemoWorld> {
  const { accounts, outDir, redisUrl, prefix, logger, closers } = input;
  const simOptions: NylasSimOptions = {
    v2Apps: DEMO_APPS.v2.map((app) => ({
      clientId: app.id,
      clientSecret: app.secret,
      name: app.name,
      region: app.region,
      accounts: app.region === 'us' ? accounts : EU_ACCOUNTS,
    })),
    v3Apps: DEMO_APPS.v3.map((app) => ({
      applicationId: app.id,
      apiKey: app.key,
      region: app.region,
      name: app.name,
    })),
    migrationRateLimit: NYLAS_MIGRATION_LIMIT,
    latencyMs: LATENCY_MS,
    retryAfter: 'alternate',
    faults: { transient5xxRate: TRANSIENT_5XX_RATE, seed: 2024 },
  };
  const nylas = await startNylasSim(simOptions);
  closers.push(() => nylas.close());
  const slack = await startSlackSim();
  closers.push(() => slack.close());

  await mkdir(outDir, { recursive: true });
  const registryPath = join(outDir, 'nylas-apps.demo.yml');
  await writeFile(registryPath, registryYaml());
  const registry = await loadAppsRegistry(registryPath, {});

  const signingSecret = `demo-signing-${randomBytes(12).toString('hex')}`;
  const env = loadEnv(
    {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: redisUrl,
      NYLAS_APPS_FILE: registryPath,
      NYLAS_V2_API_URL_US: nylas.url,
      NYLAS_V2_API_URL_EU: nylas.url,
      NYLAS_V3_API_URL_US: nylas.url,
      NYLAS_V3_API_URL_EU: nylas.url,
    },
    'all',
  );

  // The worker's own copy of the report goes to a private directory; the demo saves the uploaded one.
  const reportDir = await mkdtemp(join(tmpdir(), 'migrate-bot-demo-reports-'));
  closers.push(() => rm(reportDir, { recursive: true, force: true }));
  const services = await startServices({
    env,
    registry,
    role: 'all',
    logger,
    prefix,
    worker: { settings: { reportDir } },
    bot: { host: '127.0.0.1', port: 0 },
  });
  closers.push(() => services.close());
  return {
    nylas,
    slack,
    registry,
    registryPath,
    signingSecret,
    services,
    botUrl: `http://127.0.0.1:${services.bot?.port}`,
    prefix,
    simOptions,
  };
}
