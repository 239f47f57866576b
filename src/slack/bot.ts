import type { Server } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Metrics } from '../observability/metrics.js';
import { logDropped } from '../shared/best-effort.js';
import type { Secret } from '../shared/secret.js';
import { boltLogger } from './bolt-logger.js';
import type { BotDeps } from './bot-deps.js';
import { createBotHttpServer, EVENTS_PATH, listen } from './http-server.js';
import { registerListeners } from './listeners/index.js';
import { watchRateLimits } from './metered-client.js';

export interface BotOptions {
  deps: BotDeps;
  botToken: Secret;
  /** HTTP mode (verified requests on POST /slack/events). */
  signingSecret?: Secret | undefined;
  /** When set, Socket Mode: no public URL; PORT still serves /healthz. */
  appToken?: Secret | undefined;
  slackApiUrl: string;
  port: number;
  host?: string;
  health: () => Promise<boolean>;
  /** Served at `GET /metrics`; Bolt's own client's 429s are counted in it. */
  metrics?: Metrics | undefined;
}

export interface RunningBot {
  app: App;
  port: number;
  mode: 'http' | 'socket';
  close(): Promise<void>;
}

/** Builds the Bolt app (HTTP mode, or Socket Mode when an app token is given) and starts serving. */
/** Slack calls made by listeners: quick and few, since a trigger id dies in 3 seconds. */
const LISTENER_RETRIES = { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000 };
/** A views.open that has not answered in this long has missed its trigger id's 3 s anyway. */
const LISTENER_TIMEOUT_MS = 3_000;
/** Socket Mode's client retries most start-up errors for ever; a bot that cannot connect must say so. */
const SOCKET_START_TIMEOUT_MS = 30_000;

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { deps } = options;
  const logger = boltLogger(deps.logger, LogLevel.WARN);
  // An explicit retryConfig also stops the Socket Mode client from writing its own (100 retries) into it.
  const clientOptions = {
    slackApiUrl: options.slackApiUrl,
    retryConfig: LISTENER_RETRIES,
    timeout: LISTENER_TIMEOUT_MS,
  };
  let app: App;
  let httpReceiver: HTTPReceiver | undefined;
  let socketReceiver: SocketModeReceiver | undefined;
  if (options.appToken) {
    socketReceiver = new SocketModeReceiver({
      appToken: options.appToken.reveal(),
      logger,
      // The socket's own client (apps.connections.open) keeps its reconnecting retries: a separate object.
      installerOptions: { clientOptions: { slackApiUrl: options.slackApiUrl } },
    });
    app = new App({
      token: options.botToken.reveal(),
      receiver: socketReceiver,
      logger,
      clientOptions,
      deferInitialization: true,
    });
  } else {
    if (!options.signingSecret) throw new Error('HTTP mode needs a signing secret');
    httpReceiver = new HTTPReceiver({
      signingSecret: options.signingSecret.reveal(),
      endpoints: EVENTS_PATH,
      logger,
    });
    app = new App({
      token: options.botToken.reveal(),
      receiver: httpReceiver,
      logger,
      clientOptions,
      deferInitialization: true,
    });
  }
  // Checks the bot token now (auth.test), so a wrong token or an unreachable Slack is one clear start-up
  // error instead of an unhandled rejection later.
  try {
    await app.init();
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    throw new Error(`Slack did not confirm SLACK_BOT_TOKEN (${code ?? (error as Error).message})`);
  }
  app.error(async (error) => {
    deps.logger.error('unhandled error in a Slack listener', {
      error,
      code: (error as { code?: string }).code,
    });
  });
  registerListeners(app, deps);
  watchRateLimits(app.client, { metrics: options.metrics, logger: deps.logger, name: 'bolt' });

  const server: Server = createBotHttpServer({
    slackListener: httpReceiver?.requestListener,
    health: options.health,
    metrics: options.metrics,
    logger: deps.logger,
  });
  const port = await listen(server, options.port, options.host);
  const closeServer = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const stopSocket = async () => {
    await app.stop();
    // Bolt's stop returns before the socket is closed; wait for it so a shutdown ends cleanly.
    await socketReceiver?.client.disconnect();
  };
  if (socketReceiver) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        app.start(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `Socket Mode did not connect within ${SOCKET_START_TIMEOUT_MS / 1000} s (check SLACK_APP_TOKEN and its connections:write scope)`,
                ),
              ),
            SOCKET_START_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      await stopSocket().catch(
        logDropped(deps.logger, 'debug', 'Socket Mode did not stop cleanly after a failed start'),
      );
      await closeServer();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    app,
    port,
    mode: socketReceiver ? 'socket' : 'http',
    async close() {
      if (socketReceiver) await stopSocket();
      await closeServer();
    },
  };
}
