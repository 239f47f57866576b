import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { logDropped } from '../../../shared/best-effort.js';
import { needsApproval } from '../../approval/gate.js';
import type { BotDeps } from '../../bot-deps.js';
import type { FormInput } from '../../form.js';
import { ACTION } from '../../ids.js';
import { confirmView } from '../../views/confirm-view.js';
import { readButtonRequest } from './button-request.js';

/**
 * "Migrate now" under a plan: opens the confirm view (views.open with the click's trigger id) with the
 * plan's choices — title, environment, description, options, apps — so "Create app" runs the real
 * migration through the usual checks. Admins only.
 */
export function registerMigrateNowAction(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.migrateNow, async ({ ack, body, action, client }) => {
    await ack();
    const button = await readButtonRequest(deps, {
      body,
      action,
      what: 'button.migrate_now',
      verb: 'start',
    });
    if (!button.ok) return;
    const { migrationId, tell } = button;
    let record: Awaited<ReturnType<typeof deps.records.get>>;
    try {
      record = await deps.records.get(migrationId);
    } catch (error) {
      deps.logger.error('could not read the plan', { migrationId, error });
      return tell('Migration records are unavailable right now (Redis does not answer); try again shortly.');
    }
    const request = record?.request;
    if (request?.mode !== 'plan') return tell('This plan is no longer known; type /migrate again.');
    const v2 = deps.registry.v2(request.v2AppId);
    const v3 = deps.registry.v3(request.v3AppId);
    if (!v2 || !v3 || v2.region !== v3.region)
      return tell('The applications of this plan are no longer configured; type /migrate again.');
    const form: FormInput = {
      v2AppId: request.v2AppId,
      v3AppId: request.v3AppId,
      title: request.title,
      environment: request.environment,
      ...(request.description ? { description: request.description } : {}),
      options: request.options,
    };
    const channel = body.channel?.id ?? request.slack?.channel ?? '';
    await client.views
      .open({
        trigger_id: body.trigger_id,
        view: confirmView({
          form,
          v2,
          v3,
          channel,
          ...(body.response_url ? { responseUrl: body.response_url } : {}),
          threadChannel: deps.migrateChannel ?? channel,
          approvalWindowMs: needsApproval(deps.approval, form.environment)
            ? deps.approval.windowMs
            : undefined,
        }),
      })
      .catch(async (error: unknown) => {
        logDropped(deps.logger, 'warn', 'confirm view not opened from the plan', { migrationId })(error);
        await tell('The confirmation could not be opened (Slack took too long); press Migrate now again.');
      });
  });
}
