import { parseArgs } from 'node:util';
import { startServices } from './app/services.js';
import { loadAppsRegistry } from './config/apps-registry.js';
import { CONFIG_ERROR_EXIT_CODE, ConfigError } from './config/config-error.js';
import { loadEnv, type Role } from './config/env.js';
import { PRODUCTION_TIMINGS } from './config/timings.js';
import { createMetrics } from './observability/metrics.js';
import { createJsonLogger } from './shared/logger.js';

const ROLES: readonly Role[] = ['all', 'bot', 'worker'];

function fail(message: string, code: number): never {
  process.stderr.write(`migrate-bot: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let role: Role;
  try {
    const { values } = parseArgs({ options: { role: { type: 'string', default: 'all' } }, strict: true });
    if (!ROLES.includes(values.role as Role))
      throw new ConfigError(`--role must be one of ${ROLES.join(', ')} (got "${values.role}")`);
    role = values.role as Role;
  } catch (error) {
    fail(
      error instanceof ConfigError ? error.message : `bad arguments: ${(error as Error).message}`,
      CONFIG_ERROR_EXIT_CODE,
    );
  }

  let env: ReturnType<typeof loadEnv>;
  let registry: Awaited<ReturnType<typeof loadAppsRegistry>>;
  try {
    env = loadEnv(process.env, role);
    registry = await loadAppsRegistry(env.nylasAppsFile, process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, CONFIG_ERROR_EXIT_CODE);
    throw error;
  }

  const logger = createJsonLogger({ service: 'migrate-bot', role }, undefined, { level: env.logLevel });
  let services: Awaited<ReturnType<typeof startServices>>;
  try {
    services = await startServices({
      env,
      registry,
      role,
      logger,
      metrics: createMetrics({ processMetrics: true, logger }),
    });
  } catch (error) {
    // Slack may reveal a configuration mistake only once asked (another workspace, an unreadable group).
    if (error instanceof ConfigError) fail(error.message, CONFIG_ERROR_EXIT_CODE);
    fail(`could not start: ${(error as Error).message}`, 1);
  }
  logger.info('started', {
    role,
    ...(services.bot ? { mode: services.bot.mode, port: services.bot.port } : {}),
    ...(services.worker ? { workerId: services.worker.workerId } : {}),
    v2Apps: registry.v2Apps.length,
    v3Apps: registry.v3Apps.length,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info('stopping', { signal });
    // A second signal, or a shutdown that hangs, ends the process anyway.
    setTimeout(() => process.exit(1), PRODUCTION_TIMINGS.shutdownLimitMs).unref();
    services.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => fail(`unexpected error: ${(error as Error).message}`, 1));
