import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { BotDeps } from '../../bot-deps.js';
import { ACTION } from '../../ids.js';
import { appLabels, parentMessage } from '../../views/parent-message.js';
import { threadPlace } from '../../views/text.js';
import { readButtonRequest } from './button-request.js';

/**
 * Retry failed: an `only_failed` re-run in the same thread — the parent shows the new run, a fresh full
 * report follows. Admins only; the reservation keeps a double click to one run.
 */
export function registerRetryFailedAction(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.retryFailed, async ({ ack, body, action, client }) => {
    await ack();
    const button = await readButtonRequest(deps, {
      body,
      action,
      what: 'button.retry_failed',
      verb: 'retry',
    });
    if (!button.ok) return;
    const { migrationId, userId, tell } = button;

    let reserved: Awaited<ReturnType<typeof deps.producer.reserveRetry>>;
    try {
      reserved = await deps.producer.reserveRetry(migrationId, userId);
    } catch (error) {
      deps.logger.error('could not reserve the retry', { migrationId, error });
      return tell('Migration records are unavailable right now (Redis does not answer); try again shortly.');
    }
    if (!reserved.ok) {
      if (reserved.code === 'not_found') return tell('That migration is no longer known.');
      if (reserved.code === 'not_finished') return tell('That migration is still running.');
      const thread = 'record' in reserved ? reserved.record?.request.slack : undefined;
      return tell(
        `A migration of these applications is already running: ${threadPlace(await deps.permalinks.of(thread), thread)}`,
      );
    }
    const request = reserved.request;
    const thread = request.slack;
    if (thread?.threadTs) {
      const labels = appLabels(deps.registry, request);
      await client.chat
        .postMessage({
          channel: thread.channel,
          thread_ts: thread.threadTs,
          text: `Retry of the failed accounts started by <@${userId}> (${request.migrationId})`,
        })
        .catch(() => undefined);
      await client.chat
        .update({
          channel: thread.channel,
          ts: thread.threadTs,
          ...parentMessage(request, labels, { kind: 'starting' }),
        })
        .catch(() => undefined);
    }
    try {
      await deps.producer.enqueue(request);
    } catch (error) {
      // An enqueue that timed out may still have landed: then the retry is on its way.
      const queued = await deps.producer.isQueued(request.migrationId).catch(() => undefined);
      if (queued) return undefined;
      deps.logger.error('could not queue the retry; undoing the reservation', {
        migrationId: request.migrationId,
        error,
      });
      if (queued === false) await deps.records.discard(request).catch(() => undefined);
      return tell(
        'The retry could not be queued (Redis does not answer); nothing was started. Try again shortly.',
      );
    }
  });
}
