import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { migrationIdSchema } from '../../../migration/request.js';
import type { BotDeps } from '../../bot-deps.js';
import { ACTION } from '../../ids.js';
import { verifyAndAudit } from '../../verify-request.js';
import { eventMessage } from '../../views/thread-messages.js';

/** Cancel (behind a confirm dialog): admins only; the run stops between accounts, in-flight ones finish. */
export function registerCancelAction(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.cancel, async ({ ack, body, action, client }) => {
    await ack();
    const id = migrationIdSchema.safeParse(action.value);
    const userId = body.user.id;
    const channel = body.channel?.id;
    const verdict = await verifyAndAudit(deps, {
      userId,
      teamId: body.team?.id ?? undefined,
      what: 'button.cancel',
      ...(id.success ? { migrationId: id.data } : {}),
    });
    const tell = (text: string) =>
      channel
        ? client.chat.postEphemeral({ channel, user: userId, text }).then(
            () => undefined,
            () => undefined,
          )
        : Promise.resolve();
    if (!verdict.ok) return tell(`Only verified admins can cancel migrations: ${verdict.reason}.`);
    if (!id.success) return tell('This button is out of date.');
    const record = await deps.records.get(id.data);
    if (!record) return tell('This migration is no longer known.');
    if (!(await deps.producer.cancel(id.data, userId))) return tell('This migration has already finished.');
    const thread = record.request.slack;
    if (thread?.threadTs) {
      const message = eventMessage(id.data, { type: 'cancel_requested', by: userId });
      await client.chat
        .postMessage({
          channel: thread.channel,
          thread_ts: thread.threadTs,
          text: message.text,
          blocks: message.blocks,
        })
        .catch(() => undefined);
    }
    return undefined;
  });
}
