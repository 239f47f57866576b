import type { Logger } from '../../shared/logger.js';
import { sleep } from '../../shared/sleep.js';
import type { MigrationEvent, MigrationRef, Notifier } from '../notifier.js';
import type { RunDeps } from '../ports.js';

export interface RunContext extends RunDeps {
  ref: MigrationRef;
  now: () => number;
  /** Tells the thread; never throws (a Slack outage must not fail a migration). */
  notify(event: MigrationEvent): Promise<void>;
}

const NOTIFY_ATTEMPTS = 3;

export function createRunContext(deps: RunDeps): RunContext {
  const { request } = deps;
  const ref: MigrationRef = {
    migrationId: request.migrationId,
    v2AppId: request.v2AppId,
    v3AppId: request.v3AppId,
    title: request.title,
    environment: request.environment,
    mode: request.mode,
    requestedBy: request.requestedBy,
    slack: request.slack,
    retryOf: request.retryOf,
    approval: request.approval,
  };
  return {
    ...deps,
    ref,
    now: deps.now ?? Date.now,
    notify: (event) => notifySafely(deps.notifier, ref, event, deps.logger),
  };
}

async function notifySafely(notifier: Notifier, ref: MigrationRef, event: MigrationEvent, logger: Logger) {
  for (let attempt = 1; attempt <= NOTIFY_ATTEMPTS; attempt++) {
    try {
      await notifier.event(ref, event);
      return;
    } catch (error) {
      if (attempt === NOTIFY_ATTEMPTS) {
        logger.warn('notification dropped', { migrationId: ref.migrationId, event: event.type, error });
        return;
      }
      await sleep(250 * 2 ** (attempt - 1));
    }
  }
}
