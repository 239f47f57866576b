import type { App } from '@slack/bolt';
import { logDropped } from '../../../shared/best-effort.js';
import type { BotDeps } from '../../bot-deps.js';
import { SLASH_COMMAND } from '../../ids.js';
import { verifyAndAudit } from '../../verify-request.js';
import { HELP_TEXT, statusReply } from '../../views/command-replies.js';
import { formView } from '../../views/form-view.js';

/**
 * `/migrate` opens the form for a verified admin (ack first, then the modal: trigger ids die in 3 s);
 * `/migrate status` lists migrations; `help` and anything unknown answer the help.
 */
export function registerMigrateCommand(app: App, deps: BotDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, client }) => {
    const subcommand = command.text.trim().toLowerCase();
    if (subcommand !== '' && subcommand !== 'status') {
      await ack({ response_type: 'ephemeral', text: HELP_TEXT });
      return;
    }
    const verdict = await verifyAndAudit(deps, {
      userId: command.user_id,
      teamId: command.team_id,
      what: subcommand === 'status' ? 'command.status' : 'command.open_form',
    });
    if (!verdict.ok) {
      await ack({ response_type: 'ephemeral', text: `Sorry, you can't use /migrate: ${verdict.reason}.` });
      return;
    }
    if (subcommand === 'status') {
      const reply = await deps.records
        .recent(10)
        .then(statusReply, logDropped(deps.logger, 'warn', '/migrate status: records unavailable'));
      await ack(
        reply
          ? { response_type: 'ephemeral', ...reply }
          : {
              response_type: 'ephemeral',
              text: 'Migration records are unavailable right now (Redis does not answer); try again shortly.',
            },
      );
      return;
    }

    await ack();
    const [busyV2, busyV3] = await Promise.all([
      busyApps(
        deps,
        'v2',
        deps.registry.v2Apps.map((a) => a.id),
      ),
      busyApps(
        deps,
        'v3',
        deps.registry.v3Apps.map((a) => a.id),
      ),
    ]);
    try {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: formView({
          registry: deps.registry,
          busyV2,
          busyV3,
          metadata: { channel: command.channel_id },
        }),
      });
    } catch (error) {
      deps.logger.warn('could not open the form', {
        error,
        slackError: (error as { data?: { error?: string } }).data?.error,
      });
      await client.chat
        .postEphemeral({
          channel: command.channel_id,
          user: command.user_id,
          text: 'Slack did not let me open the form in time; please type /migrate again.',
        })
        .catch(logDropped(deps.logger, 'warn', 'could not tell the user the form did not open'));
    }
  });
}

/** Apps with a live migration, to mark them in the form; unknown (Redis down) counts as not busy here —
 * the submission checks again and the reservation is what really decides. */
async function busyApps(deps: BotDeps, kind: 'v2' | 'v3', ids: string[]): Promise<Set<string>> {
  const found = await Promise.all(
    ids.map((id) =>
      deps.records.active(kind, id).then(
        (r) => (r ? id : undefined),
        () => undefined,
      ),
    ),
  );
  return new Set(found.filter((id): id is string => id !== undefined));
}
