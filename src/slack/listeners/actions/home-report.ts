import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { migrationIdSchema } from '../../../migration/request.js';
import { logDropped } from '../../../shared/best-effort.js';
import { authorizeAdmin } from '../../authorize-admin.js';
import type { BotDeps } from '../../bot-deps.js';
import { ACTION } from '../../ids.js';
import { reuploadReply } from '../commands/report.js';

/**
 * The App Home's "Re-upload report": the same path as `/migrate report <id>`, admins only. A click on
 * the Home tab has no response_url, so the answer is shown at the top of the clicker's Home tab.
 */
export function registerHomeReportAction(app: App, deps: BotDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTION.homeReport, async ({ ack, body, action }) => {
    await ack();
    const home = deps.home;
    const userId = body.user.id;
    const id = migrationIdSchema.safeParse(action.value);
    const origin = {
      teamId: body.team?.id ?? undefined,
      enterpriseId: body.enterprise?.id ?? undefined,
      enterpriseInstall: body.is_enterprise_install === true,
    };
    const verdict = await authorizeAdmin(deps, {
      userId,
      teamId: origin.teamId,
      enterpriseId: origin.enterpriseId,
      enterprise: origin.enterpriseInstall,
      what: 'button.home_report',
      ...(id.success ? { migrationId: id.data } : {}),
    });
    const answer = !verdict.ok
      ? `Only verified admins can re-upload reports: ${verdict.reason}.`
      : !id.success
        ? 'This button is out of date.'
        : await reuploadReply(deps, id.data, userId);
    await home
      ?.notify({ userId, ...origin }, answer)
      .catch(logDropped(deps.logger, 'warn', 'App Home: the answer to a button was not shown', { userId }));
  });
}
