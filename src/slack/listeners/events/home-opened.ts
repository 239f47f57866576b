import type { App } from '@slack/bolt';
import { logDropped } from '../../../shared/best-effort.js';
import { authorizeAdmin } from '../../authorize-admin.js';
import type { BotDeps } from '../../bot-deps.js';

/**
 * `app_home_opened` on the Home tab: the opener is checked (and audited), remembered so the tab is
 * refreshed when runs change, and the Home is published — the runs for a verified admin, a short
 * explanation for anyone else. Bolt acks the event before this runs; nothing here can fail it.
 */
export function registerHomeOpened(app: App, deps: BotDeps): void {
  app.event('app_home_opened', async ({ event, body }) => {
    const home = deps.home;
    if (!home || event.tab !== 'home') return;
    const origin = {
      teamId: body.team_id || undefined,
      enterpriseId: body.enterprise_id || undefined,
      enterpriseInstall: body.is_enterprise_install === true,
    };
    // The audit line; the publish checks again (from the cache) so a refresh never outlives the role.
    await authorizeAdmin(deps, {
      userId: event.user,
      teamId: origin.teamId,
      enterpriseId: origin.enterpriseId,
      enterprise: origin.enterpriseInstall,
      what: 'home.open',
    });
    await home
      .opened({ userId: event.user, ...origin })
      .catch(logDropped(deps.logger, 'warn', 'App Home not published', { userId: event.user }));
  });
}
