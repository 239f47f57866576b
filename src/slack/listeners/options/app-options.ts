import type { App } from '@slack/bolt';
import { authorizeAdmin } from '../../authorize-admin.js';
import type { BotDeps } from '../../bot-deps.js';
import { INPUT } from '../../ids.js';
import { type AppKind, appOption, matchingApps } from '../../views/app-options.js';

/**
 * The options-load URL behind the form's external selects (more than 100 apps): the registry's apps
 * matching what the admin typed, labelled as in a static select. Admins only — a refused request gets
 * no options, so the registry is not listed to anyone else.
 */
export function registerAppOptions(app: App, deps: BotDeps): void {
  const register = (kind: AppKind, actionId: string) =>
    app.options<'block_suggestion'>(
      { type: 'block_suggestion', action_id: actionId },
      async ({ ack, body }) => {
        const verdict = await authorizeAdmin(deps, {
          userId: body.user.id,
          teamId: body.team?.id ?? body.user.team_id,
          what: 'form.options',
          enterpriseId: body.enterprise?.id ?? body.team?.enterprise_id,
          enterprise: body.is_enterprise_install === true,
        });
        if (!verdict.ok) {
          await ack({ options: [] });
          return;
        }
        const apps = matchingApps(deps.registry, kind, body.value ?? '');
        // Busy marks from Redis; unknown (Redis down) shows as not busy — the submission checks again.
        const busy = await Promise.all(
          apps.map((candidate) => deps.records.active(kind, candidate.id).then(Boolean, () => false)),
        );
        await ack({ options: apps.map((candidate, index) => appOption(candidate, busy[index] ?? false)) });
      },
    );
  register('v2', INPUT.v2App);
  register('v3', INPUT.v3App);
}
