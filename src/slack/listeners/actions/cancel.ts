import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { logDropped } from '../../../shared/best-effort.js';
import type { BotDeps } from '../../bot-deps.js';
import { ACTION } from '../../ids.js';
import { eventMessage } from '../../views/thread-messages.js';
import { readButtonRequest } from './button-request.js';

/** Cancel (behind a confirm dialog): admins only; the run stops between accounts, in-flight ones finish. */
export function registerCancelAction(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.cancel, async ({ ack, body, action, client }) => {
    await ack();
    const request = await readButtonRequest(deps, {
      body,
      action,
      what: 'button.cancel',
      verb: 'cancel',
    });
    if (!request.ok) return;
    const { migrationId, userId, tell } = request;
    let record: Awaited<ReturnType<typeof deps.records.get>>;
    let cancelled: boolean;
    try {
      record = await deps.records.get(migrationId);
      cancelled = record ? await deps.producer.cancel(migrationId, userId) : false;
    } catch (error) {
      deps.logger.error('could not record the cancel', { migrationId, error });
      return tell(
        'Migration records are unavailable right now (Redis does not answer); try Cancel again shortly.',
      );
    }
    if (!record) return tell('This migration is no longer known.');
    if (!cancelled) return tell('This migration has already finished.');
    const thread = record.request.slack;
    if (thread?.threadTs) {
      const message = eventMessage(migrationId, { type: 'cancel_requested', by: userId });
      await client.chat
        .postMessage({
          channel: thread.channel,
          thread_ts: thread.threadTs,
          text: message.text,
          blocks: message.blocks,
        })
        .catch(logDropped(deps.logger, 'warn', 'cancel notice not posted in the thread', { migrationId }));
    }
  });
}
