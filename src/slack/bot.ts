import type { Server } from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Secret } from '../shared/secret.js';
import { boltLogger } from './bolt-logger.js';
import type { BotDeps } from './bot-deps.js';
import { createBotHttpServer, EVENTS_PATH, listen } from './http-server.js';
import { registerListeners } from './listeners/index.js';

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
}

export interface RunningBot {
  app: App;
  port: number;
  mode: 'http' | 'socket';
  close(): Promise<void>;
}

/** Builds the Bolt app (HTTP mode, or Socket Mode when an app token is given) and starts serving. */
export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { deps } = options;
  const logger = boltLogger(deps.logger, LogLevel.WARN);
  const clientOptions = { slackApiUrl: options.slackApiUrl };
  let app: App;
  let receiver: HTTPReceiver | undefined;
  if (options.appToken) {
    app = new App({
      token: options.botToken.reveal(),
      appToken: options.appToken.reveal(),
      socketMode: true,
      logger,
      clientOptions,
    });
  } else {
    if (!options.signingSecret) throw new Error('HTTP mode needs a signing secret');
    receiver = new HTTPReceiver({
      signingSecret: options.signingSecret.reveal(),
      endpoints: EVENTS_PATH,
      logger,
    });
    app = new App({ token: options.botToken.reveal(), receiver, logger, clientOptions });
  }
  app.error(async (error) => {
    deps.logger.error('unhandled error in a Slack listener', {
      error,
      code: (error as { code?: string }).code,
    });
  });
  registerListeners(app, deps);

  const server: Server = createBotHttpServer({
    slackListener: receiver?.requestListener,
    health: options.health,
    logger: deps.logger,
  });
  const port = await listen(server, options.port, options.host);
  if (options.appToken) await app.start();
  return {
    app,
    port,
    mode: options.appToken ? 'socket' : 'http',
    async close() {
      if (options.appToken) await app.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
