import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { logDropped } from '../../../shared/best-effort.js';
import { holdForApproval, needsApproval } from '../../approval/gate.js';
import type { BotDeps } from '../../bot-deps.js';
import { ACTION } from '../../ids.js';
import { awaitingApprovalMessage } from '../../views/approval-messages.js';
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
      if (reserved.code === 'is_plan')
        return tell('A plan cannot be retried; use Migrate now under it to run the migration.');
      const thread = 'record' in reserved ? reserved.record?.request.slack : undefined;
      return tell(
        `A migration of these applications is already running: ${threadPlace(await deps.permalinks.of(thread), thread)}`,
      );
    }
    const request = reserved.request;
    const thread = request.slack;
    // A retry writes at Nylas too: in an approval environment it waits for a second admin as well.
    const gate = needsApproval(deps.approval, request.environment) ? deps.approval : undefined;
    const dueAt = Date.now() + (gate?.windowMs ?? 0);
    if (thread?.threadTs) {
      const labels = appLabels(deps.registry, request);
      await client.chat
        .postMessage({
          channel: thread.channel,
          thread_ts: thread.threadTs,
          text: `Retry of the failed accounts ${gate ? 'requested' : 'started'} by <@${userId}> (${request.migrationId})`,
        })
        .catch(
          logDropped(deps.logger, 'warn', 'retry notice not posted in the thread', {
            migrationId: request.migrationId,
          }),
        );
      await client.chat
        .update({
          channel: thread.channel,
          ts: thread.threadTs,
          ...(gate
            ? awaitingApprovalMessage(request, labels, dueAt)
            : parentMessage(request, labels, { kind: 'starting' })),
        })
        .catch(
          logDropped(deps.logger, 'warn', 'parent message not reset for the retry', {
            migrationId: request.migrationId,
          }),
        );
    }
    try {
      if (gate) await holdForApproval({ client, logger: deps.logger }, gate, request, dueAt);
      else await deps.producer.enqueue(request);
    } catch (error) {
      // An enqueue that timed out may still have landed: then the retry is on its way. A hold has no job
      // to ask about: one that failed part way (no expiry scheduled) is always undone.
      const queued = gate
        ? false
        : await deps.producer.isQueued(request.migrationId).catch(
            logDropped(deps.logger, 'warn', 'could not check whether the retry was queued', {
              migrationId: request.migrationId,
            }),
          );
      if (queued) return undefined;
      deps.logger.error('could not queue the retry; undoing the reservation', {
        migrationId: request.migrationId,
        error,
      });
      if (queued === false)
        await deps.records.discard(request).catch(
          logDropped(deps.logger, 'warn', 'reservation not undone; it lapses on its own', {
            migrationId: request.migrationId,
          }),
        );
      // The parent was already turned into the retry's (with Approve/Reject when held): say it did not start.
      if (thread?.threadTs) {
        const text =
          'The retry of failed accounts could not be started; the earlier results are in this thread.';
        await client.chat.update({ channel: thread.channel, ts: thread.threadTs, text, blocks: [] }).catch(
          logDropped(deps.logger, 'warn', 'parent message not marked as not started', {
            migrationId: request.migrationId,
          }),
        );
      }
      return tell(
        'The retry could not be queued (Redis does not answer); nothing was started. Try again shortly.',
      );
    }
  });
}
