import type { App, ViewResponseAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { MigrationRequest } from '../../../migration/request.js';
import { logDropped } from '../../../shared/best-effort.js';
import type { Logger } from '../../../shared/logger.js';
import { ackGuard } from '../../ack-budget.js';
import { holdForApproval, needsApproval } from '../../approval/gate.js';
import { authorizeAdmin } from '../../authorize-admin.js';
import type { BotDeps } from '../../bot-deps.js';
import { formInputSchema } from '../../form.js';
import { CALLBACK } from '../../ids.js';
import { awaitingApprovalMessage } from '../../views/approval-messages.js';
import { noticeView } from '../../views/confirm-view.js';
import { parentMessage } from '../../views/parent-message.js';
import { threadLink, threadPlace } from '../../views/text.js';
import { safeJson } from './form-submission.js';

export const confirmMetadataSchema = z.object({
  channel: z.string().regex(/^[CGD][A-Z0-9_]+$/),
  responseUrl: z.string().max(500).optional(),
  form: formInputSchema,
});

/** The modal's answer when the outcome is not known within the ack budget. */
const WORKING = {
  response_action: 'update' as const,
  view: noticeView(
    'Working on it',
    'Slack or our migration records are slow right now, so nothing is started yet. I will tell you where you typed /migrate (or by direct message) whether the migration started; you can close this window.',
  ),
};

const RECORDS_DOWN = 'migration records are unavailable right now (Redis does not answer); try again shortly';

/** Slack errors that mean the bot cannot post where it was asked to. */
const CANNOT_POST = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/**
 * "Create app": in this order — the admin again; reserve the v2 and v3 apps atomically (a double click,
 * a retried request or a second admin finds the reservation and starts nothing); ack with `clear`; post
 * the thread's parent message (if the bot is not in the channel: undo the reservation and tell the admin
 * how to invite it); then enqueue the job with the thread's ts — or, when the environment needs a second
 * admin (MIGRATE_APPROVAL_ENVIRONMENTS), hold the run for approval instead (approval/gate.ts).
 */
export function registerConfirmSubmission(app: App, deps: BotDeps): void {
  app.view(CALLBACK.confirm, async ({ ack, body, view, client }) => {
    const guard = ackGuard<ViewResponseAction>((response) => ack(response));
    const userId = body.user.id;
    const teamId = body.team?.id ?? body.user.team_id;
    const metadata = confirmMetadataSchema.safeParse(safeJson(view.private_metadata));
    const responseUrl = metadata.success ? metadata.data.responseUrl : undefined;
    // Notices go where /migrate was typed (the response_url works even where the bot cannot post);
    // a DM from the bot is the fallback when that URL is gone (used up, or older than 30 minutes).
    const tell = async (text: string) => {
      if (!(await deps.respond(responseUrl, { text }))) await tellUser(client, userId, text, deps.logger);
    };
    // In the modal while Slack still waits for the ack; past it, where /migrate was typed.
    const answer = async (title: string, text: string) => {
      if (!(await guard.ack({ response_action: 'update', view: noticeView(title, text) }))) await tell(text);
    };
    const verdict = await guard.settle(
      authorizeAdmin(deps, {
        userId,
        teamId,
        what: 'confirm.submit',
        enterpriseId: body.enterprise?.id ?? undefined,
        enterprise: body.is_enterprise_install === true,
      }),
      WORKING,
    );
    if (!verdict.ok) return answer('Not allowed', `Nothing was started: ${verdict.reason}.`);
    const v2 = metadata.success ? deps.registry.v2(metadata.data.form.v2AppId) : undefined;
    const v3 = metadata.success ? deps.registry.v3(metadata.data.form.v3AppId) : undefined;
    if (!metadata.success || !v2 || !v3 || v2.region !== v3.region)
      return answer('Not started', 'This confirmation is out of date or invalid; type /migrate again.');
    const { form, channel: invokingChannel } = metadata.data;
    const threadChannel = deps.migrateChannel ?? invokingChannel;

    let reserved: Awaited<ReturnType<typeof deps.producer.reserve>>;
    try {
      reserved = await guard.settle(
        deps.producer.reserve({ ...form, requestedBy: userId, teamId, slack: { channel: threadChannel } }),
        WORKING,
      );
    } catch (error) {
      deps.logger.error('could not reserve the apps', { error });
      return answer('Not started', `Nothing was started: ${RECORDS_DOWN}.`);
    }
    if (!reserved.ok) {
      const running = reserved.record?.request.slack;
      const link = threadPlace(await guard.settle(deps.permalinks.of(running), WORKING), running);
      const which = reserved.code === 'v2_busy' ? 'of this v2 application' : 'into this v3 application';
      return answer(
        'Already running',
        `A migration ${which} is already running (\`${reserved.migrationId}\`): ${link}. Nothing new was started.`,
      );
    }
    // Acked late ("working on it"): the start is told by message below, even in the same channel.
    const ackedLate = !(await guard.ack({ response_action: 'clear' }));

    const request = reserved.request;
    const labels = { v2Name: v2.name, v3Name: v3.name, region: v2.region };
    // An environment that needs a second admin: the run is held (apps reserved, no job) until approved.
    const gate = needsApproval(deps.approval, request.environment) ? deps.approval : undefined;
    const dueAt = Date.now() + (gate?.windowMs ?? 0);
    let threadTs: string | undefined;
    try {
      const posted = await deps.threadClient.chat.postMessage({
        channel: threadChannel,
        ...(gate
          ? awaitingApprovalMessage(request, labels, dueAt)
          : parentMessage(request, labels, { kind: 'starting' })),
      });
      threadTs = posted.ts;
    } catch (error) {
      await deps.records.discard(request).catch(
        logDropped(deps.logger, 'warn', 'reservation not undone; it lapses on its own', {
          migrationId: request.migrationId,
        }),
      );
      const code = slackErrorCode(error);
      deps.logger.warn('could not post the thread; migration not started', {
        migrationId: request.migrationId,
        slackError: code,
      });
      const advice = CANNOT_POST.has(code ?? '')
        ? `I can't post in <#${threadChannel}> (${code}). Invite me there first — type \`/invite @migrate-bot\` in that channel — then run \`/migrate\` again. Nothing was started.`
        : `I couldn't create the migration thread in <#${threadChannel}> (${code ?? 'Slack error'}). Nothing was started; please try again.`;
      await tell(advice);
      return;
    }
    try {
      if (!threadTs) throw new Error('Slack returned no ts for the parent message');
      const withThread: MigrationRequest = await deps.records.setThread(request.migrationId, {
        channel: threadChannel,
        threadTs,
      });
      if (gate) {
        await holdForApproval({ client: deps.threadClient, logger: deps.logger }, gate, withThread, dueAt);
        deps.home?.changed(request.migrationId);
      } else await deps.producer.enqueue(withThread);
    } catch (error) {
      // An enqueue that timed out may still have landed: then the run is on its way, leave it be. A hold
      // has no job to ask about: one that failed part way (no expiry scheduled) is always undone.
      const queued = gate
        ? false
        : await deps.producer.isQueued(request.migrationId).catch(
            logDropped(deps.logger, 'warn', 'could not check whether the migration was queued', {
              migrationId: request.migrationId,
            }),
          );
      if (queued) {
        deps.logger.warn('slow enqueue, but the job exists: the migration goes ahead', {
          migrationId: request.migrationId,
        });
        return;
      }
      // Never leave the apps reserved by a run that has no job: undo (when Redis cannot even say, the
      // reservation lapses on its own after a few minutes), and say so where it was to run.
      deps.logger.error('could not queue the migration; undoing the reservation', {
        migrationId: request.migrationId,
        error,
      });
      if (queued === false)
        await deps.records.discard(request).catch(
          logDropped(deps.logger, 'warn', 'reservation not undone; it lapses on its own', {
            migrationId: request.migrationId,
          }),
        );
      if (threadTs) {
        await client.chat
          .update({
            channel: threadChannel,
            ts: threadTs,
            text: 'This migration could not be started.',
            blocks: [],
          })
          .catch(
            logDropped(deps.logger, 'warn', 'parent message not marked as not started', {
              migrationId: request.migrationId,
            }),
          );
      }
      await tell(`The migration could not be queued (${RECORDS_DOWN}). Nothing was started.`);
      return;
    }
    if (threadTs && (ackedLate || threadChannel !== invokingChannel)) {
      const link = threadLink(await deps.permalinks.of({ channel: threadChannel, threadTs }));
      await tell(
        gate
          ? `Migration requested: it waits for a second admin's approval in the ${link} in <#${threadChannel}>.`
          : `Migration started: follow it in the ${link} in <#${threadChannel}>.`,
      );
    }
  });
}

/** A direct message (posting to a user id lands in the DM with `chat:write` alone). */
async function tellUser(client: WebClient, userId: string, text: string, logger: Logger): Promise<void> {
  await client.chat
    .postMessage({ channel: userId, text })
    .catch(logDropped(logger, 'warn', 'direct message to the user not sent'));
}
