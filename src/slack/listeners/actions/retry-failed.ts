import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { migrationIdSchema } from '../../../migration/request.js';
import type { BotDeps } from '../../bot-deps.js';
import { ACTION } from '../../ids.js';
import { verifyAndAudit } from '../../verify-request.js';
import { parentMessage } from '../../views/parent-message.js';
import { threadUrl } from '../views/form-submission.js';

/**
 * Retry failed: an `only_failed` re-run in the same thread — the parent shows the new run, a fresh full
 * report follows. Admins only; the reservation keeps a double click to one run.
 */
export function registerRetryFailedAction(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.retryFailed, async ({ ack, body, action, client }) => {
    await ack();
    const id = migrationIdSchema.safeParse(action.value);
    const userId = body.user.id;
    const channel = body.channel?.id;
    const verdict = await verifyAndAudit(deps, {
      userId,
      teamId: body.team?.id ?? undefined,
      what: 'button.retry_failed',
      ...(id.success ? { migrationId: id.data } : {}),
    });
    const tell = (text: string) =>
      channel
        ? client.chat.postEphemeral({ channel, user: userId, text }).then(
            () => undefined,
            () => undefined,
          )
        : Promise.resolve();
    if (!verdict.ok) return tell(`Only verified admins can retry migrations: ${verdict.reason}.`);
    if (!id.success) return tell('This button is out of date.');

    const reserved = await deps.producer.reserveRetry(id.data, userId);
    if (!reserved.ok) {
      if (reserved.code === 'not_found') return tell('That migration is no longer known.');
      if (reserved.code === 'not_finished') return tell('That migration is still running.');
      return tell(
        `A migration of these applications is already running: ${'record' in reserved ? threadUrl(reserved.record?.request.slack) : ''}`,
      );
    }
    const request = reserved.request;
    const thread = request.slack;
    if (thread?.threadTs) {
      const v2 = deps.registry.v2(request.v2AppId);
      const v3 = deps.registry.v3(request.v3AppId);
      const labels = {
        v2Name: v2?.name ?? request.v2AppId,
        v3Name: v3?.name ?? request.v3AppId,
        region: v2?.region ?? '?',
      };
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
    await deps.producer.enqueue(request);
    return undefined;
  });
}
