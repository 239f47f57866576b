import type { App, RespondArguments } from '@slack/bolt';
import { logDropped } from '../../../shared/best-effort.js';
import { ackGuard } from '../../ack-budget.js';
import { authorizeAdmin } from '../../authorize-admin.js';
import type { BotDeps } from '../../bot-deps.js';
import { SLASH_COMMAND } from '../../ids.js';
import type { ResponseMessage } from '../../response-url.js';
import { loadRunsOverview } from '../../runs-overview.js';
import { HELP_TEXT, statusReply } from '../../views/command-replies.js';
import { formView } from '../../views/form-view.js';
import { unreachableAdvice } from '../../views/where-replies.js';
import { reuploadReply } from './report.js';

/** How many runs `/migrate status` lists. */
const STATUS_RUNS = 10;

/**
 * `/migrate` opens the form for a verified admin (ack first, then the modal: trigger ids die in 3 s);
 * `/migrate status` lists migrations; `help` and anything unknown answer the help.
 */
export function registerMigrateCommand(app: App, deps: BotDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, client }) => {
    const guard = ackGuard<RespondArguments>((response) => ack(response));
    // In the ack while Slack still waits for it; past the budget, through the command's response_url.
    const reply = async (message: ResponseMessage) => {
      if (!(await guard.ack({ response_type: 'ephemeral', ...message })))
        await deps.respond(command.response_url, message);
    };
    const subcommand = command.text.trim().toLowerCase();
    const reportOf = /^report\s+(\S+)$/i.exec(command.text.trim())?.[1];
    if (subcommand !== '' && subcommand !== 'status' && reportOf === undefined)
      return reply({ text: HELP_TEXT });
    const opening = subcommand === '';
    const threadChannel = deps.migrateChannel ?? command.channel_id;
    // Asked alongside the admin check (both before the ack when they answer in time) so a channel the
    // bot cannot post in is said now, not after two modals. Past the budget: an empty ack, then on.
    const [verdict, reach] = await guard.settle(
      Promise.all([
        authorizeAdmin(deps, {
          userId: command.user_id,
          teamId: command.team_id,
          what: opening ? 'command.open_form' : reportOf ? 'command.report' : 'command.status',
          ...(reportOf ? { migrationId: reportOf } : {}),
          enterpriseId: command.enterprise_id || undefined,
          enterprise: command.is_enterprise_install === 'true',
        }),
        opening ? deps.reach(threadChannel) : Promise.resolve(undefined),
      ]),
    );
    if (!verdict.ok) return reply({ text: `Sorry, you can't use /migrate: ${verdict.reason}.` });
    if (reportOf !== undefined) return reply({ text: await reuploadReply(deps, reportOf, command.user_id) });
    if (subcommand === 'status') {
      const status = await guard.settle(
        loadRunsOverview(deps, STATUS_RUNS).then(
          (overview) => statusReply(overview.records, overview.links),
          logDropped(deps.logger, 'warn', '/migrate status: records unavailable'),
        ),
      );
      return reply(
        status ?? {
          text: 'Migration records are unavailable right now (Redis does not answer); try again shortly.',
        },
      );
    }

    if (reach !== undefined && reach !== 'reachable' && reach !== 'unknown') {
      await guard.ack();
      deps.logger.info('command refused: the thread channel is out of reach', {
        channel: threadChannel,
        reach,
      });
      await deps.respond(command.response_url, {
        text: unreachableAdvice(reach, threadChannel, deps.migrateChannel !== undefined),
      });
      return;
    }
    await guard.ack();
    // The trigger id dies 3 s after the command: busy marks not known by the budget are left out
    // (the submission checks again; the reservation is what really decides).
    const [busyV2, busyV3] = await guard.within(
      Promise.all([
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
      ]),
      [new Set<string>(), new Set<string>()],
    );
    try {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: formView({
          registry: deps.registry,
          busyV2,
          busyV3,
          metadata: { channel: command.channel_id, responseUrl: command.response_url },
        }),
      });
    } catch (error) {
      deps.logger.warn('could not open the form', {
        error,
        slackError: (error as { data?: { error?: string } }).data?.error,
      });
      await deps.respond(command.response_url, {
        text: 'Slack did not let me open the form in time; please type /migrate again.',
      });
    }
  });
}

/** Apps with a live migration, to mark them in the form; unknown (Redis down) counts as not busy here —
 * the submission checks again and the reservation is what really decides. */
async function busyApps(deps: BotDeps, kind: 'v2' | 'v3', ids: string[]): Promise<Set<string>> {
  const found = await Promise.all(
    ids.map((id) =>
      deps.records
        .active(kind, id)
        .then(
          (r) => (r ? id : undefined),
          logDropped(deps.logger, 'debug', 'busy mark left out of the form (records unavailable)'),
        ),
    ),
  );
  return new Set(found.filter((id): id is string => id !== undefined));
}
