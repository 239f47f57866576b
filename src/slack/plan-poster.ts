import { readFile } from 'node:fs/promises';
import type { WebClient } from '@slack/web-api';
import type { AppsRegistry } from '../config/apps-registry.js';
import type { MigrationRef, ReportFile } from '../migration/notifier.js';
import type { PlanOutcome } from '../migration/plan/plan-report.js';
import { logDropped } from '../shared/best-effort.js';
import type { Logger } from '../shared/logger.js';
import { appLabels } from './views/parent-message.js';
import { planMessages, planParent } from './views/plan-messages.js';
import type { SlackMessage } from './views/thread-messages.js';

/**
 * A plan's end in its thread: the parent edited to the plan's verdict (no Cancel left), the tables as
 * replies, the CSV of predicted rows uploaded under them. A plan is cheap to run again, so a Slack
 * failure here is logged, not retried like a run's report.
 */
export function createPlanPoster(deps: {
  client: Pick<WebClient, 'chat' | 'filesUploadV2'>;
  registry: AppsRegistry;
  logger: Logger;
}) {
  return async function postPlan(ref: MigrationRef, outcome: PlanOutcome, file?: ReportFile): Promise<void> {
    const thread = ref.slack;
    if (!thread?.threadTs) return;
    const { migrationId } = ref;
    const threadTs = thread.threadTs;
    const parent = planParent(ref, appLabels(deps.registry, ref), outcome);
    await deps.client.chat
      .update({ channel: thread.channel, ts: thread.threadTs, text: parent.text, blocks: parent.blocks })
      .catch(logDropped(deps.logger, 'warn', 'plan parent not updated', { migrationId }));
    const messages = planMessages(migrationId, outcome);
    // The CSV goes after the tables and before the Migrate now button (the last message).
    const last = outcome.kind === 'planned' ? messages.pop() : undefined;
    // Each post is on its own: one Slack error loses that message only, never re-runs the plan (which
    // would read every account again under the shared rate budget and post the tables twice).
    const post = (message: SlackMessage, what: string) =>
      deps.client.chat
        .postMessage({
          channel: thread.channel,
          thread_ts: threadTs,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
        })
        .then(() => undefined, logDropped(deps.logger, 'warn', `plan ${what} not posted`, { migrationId }));
    for (const message of messages) await post(message, 'table');
    if (file) {
      await readFile(file.path)
        .then((content) =>
          deps.client.filesUploadV2({
            channel_id: thread.channel,
            thread_ts: threadTs,
            file: content,
            filename: file.filename,
            title: `Migration plan ${migrationId}`,
            initial_comment: `:page_facing_up: Predicted rows: ${file.rows} accounts (\`status\` = predicted outcome)`,
          }),
        )
        .catch(logDropped(deps.logger, 'warn', 'plan CSV not uploaded', { migrationId }));
    }
    if (last) await post(last, 'Migrate now button');
  };
}
