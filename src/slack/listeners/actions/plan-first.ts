import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { migrationRequestSchema, newMigrationId } from '../../../migration/request.js';
import { logDropped } from '../../../shared/best-effort.js';
import { authorizeAdmin } from '../../authorize-admin.js';
import type { BotDeps } from '../../bot-deps.js';
import { ACTION } from '../../ids.js';
import { noticeView } from '../../views/confirm-view.js';
import { parentMessage } from '../../views/parent-message.js';
import { threadLink } from '../../views/text.js';
import { confirmMetadataSchema } from '../views/confirm-submission.js';
import { safeJson } from '../views/form-submission.js';

/**
 * "Plan first" on the confirm view: the admin again, then a plan (a dry run with the form's choices)
 * is stored — without reserving the apps — its thread posted and its job queued; the modal becomes a
 * notice saying where the plan will appear. The confirm view is gone then: "Migrate now" under the
 * plan opens it again with the same choices.
 */
export function registerPlanFirstAction(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.planFirst, async ({ ack, body, client }) => {
    await ack();
    const userId = body.user.id;
    const viewId = body.view?.id;
    const show = async (title: string, text: string) => {
      if (!viewId) return;
      await client.views
        .update({ view_id: viewId, view: noticeView(title, text) })
        .catch(logDropped(deps.logger, 'warn', 'plan notice not shown in the modal'));
    };
    const verdict = await authorizeAdmin(deps, {
      userId,
      teamId: body.team?.id ?? undefined,
      enterpriseId: body.enterprise?.id ?? undefined,
      enterprise: body.is_enterprise_install === true,
      what: 'button.plan_first',
    });
    if (!verdict.ok) return show('Not allowed', `Nothing was started: ${verdict.reason}.`);
    const metadata = confirmMetadataSchema.safeParse(safeJson(body.view?.private_metadata ?? ''));
    const v2 = metadata.success ? deps.registry.v2(metadata.data.form.v2AppId) : undefined;
    const v3 = metadata.success ? deps.registry.v3(metadata.data.form.v3AppId) : undefined;
    if (!metadata.success || !v2 || !v3 || v2.region !== v3.region)
      return show('Not started', 'This confirmation is out of date or invalid; type /migrate again.');
    const channel = deps.migrateChannel ?? metadata.data.channel;
    const createdAt = Date.now();
    const request = migrationRequestSchema.parse({
      ...metadata.data.form,
      mode: 'plan',
      migrationId: newMigrationId(createdAt),
      createdAt,
      requestedBy: userId,
      teamId: body.team?.id ?? undefined,
      slack: { channel },
    });
    const threadTs = await startPlan(deps, client, request, {
      v2Name: v2.name,
      v3Name: v3.name,
      region: v2.region,
    });
    if (!threadTs)
      return show(
        'Not started',
        `I couldn't start the plan in <#${channel}> (invite me there, or try again shortly). Nothing was changed.`,
      );
    const link = threadLink(await deps.permalinks.of({ channel, threadTs }));
    await show(
      'Plan started',
      `Planning — nothing is changed at Nylas. Follow it in the ${link} in <#${channel}>; press *Migrate now* under the plan to start the real migration with the same choices.`,
    );
  });
}

/** Stores, posts and queues the plan; its thread's ts, or undefined when it could not start. */
async function startPlan(
  deps: BotDeps,
  client: WebClient,
  request: ReturnType<typeof migrationRequestSchema.parse>,
  labels: { v2Name: string; v3Name: string; region: string },
): Promise<string | undefined> {
  const migrationId = request.migrationId;
  try {
    await deps.records.createPlan(request);
    const posted = await deps.threadClient.chat.postMessage({
      channel: request.slack?.channel ?? '',
      ...parentMessage(request, labels, { kind: 'starting' }),
    });
    if (!posted.ts) throw new Error('Slack returned no ts for the plan message');
    const withThread = await deps.records.setThread(migrationId, {
      channel: request.slack?.channel ?? '',
      threadTs: posted.ts,
    });
    try {
      await deps.producer.enqueue(withThread);
    } catch (error) {
      await client.chat
        .update({
          channel: withThread.slack?.channel ?? '',
          ts: posted.ts,
          text: 'This plan could not be started.',
          blocks: [],
        })
        .catch(logDropped(deps.logger, 'warn', 'plan message not marked as not started', { migrationId }));
      throw error;
    }
    return posted.ts;
  } catch (error) {
    deps.logger.warn('could not start the plan', { migrationId, error });
    return undefined;
  }
}
