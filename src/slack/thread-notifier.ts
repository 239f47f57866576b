import { readFile } from 'node:fs/promises';
import type { WebClient } from '@slack/web-api';
import type { AppsRegistry } from '../config/apps-registry.js';
import type { MigrationRef, Notifier } from '../migration/notifier.js';
import type { ProgressPayload } from '../migration/progress.js';
import type { Logger } from '../shared/logger.js';
import { createPlanPoster } from './plan-poster.js';
import type { SlackPacing } from './slack-pacing.js';
import { classifyUploadError } from './upload-errors.js';
import { withApprovalNote } from './views/approval-messages.js';
import {
  type AppLabels,
  appLabels,
  countsLine,
  type ParentState,
  parentMessage,
} from './views/parent-message.js';
import { eventMessage } from './views/thread-messages.js';

/** The status message is edited at most once per this many percent of progress… */
const EDIT_EVERY_PERCENT = 1;
/** …and at most once per this long (chat.update is Tier 3: ~50 a minute per workspace). */
const DEFAULT_MIN_EDIT_INTERVAL_MS = 3_000;
/** Progress milestones posted in the thread: a fixed number whatever the size. */
const MILESTONES = [25, 50, 75];

interface ThreadState {
  lastEditAt: number;
  lastPercent: number;
  milestones: Set<number>;
}

/**
 * The Slack side of a run: thread replies per step and milestone, the parent message edited with
 * progress (throttled), the CSV uploaded into the thread. Slack trouble never reaches the migration:
 * events throw so the runner's bounded retry can apply, progress edits are dropped on failure (the next
 * one carries the truth), and a failed upload throws so the report is kept owed.
 *
 * With `pacing`, every process's edits share the workspace's chat.update budget: a progress edit is
 * sent only when a slot is free (else skipped, and tried again on the next update), a final edit
 * waits for one. `progressClient` sends progress edits without retries, so a 429 drops the edit
 * instead of pausing the client that carries the replies.
 */
export function createThreadNotifier(deps: {
  client: Pick<WebClient, 'chat' | 'filesUploadV2'>;
  progressClient?: Pick<WebClient, 'chat'>;
  pacing?: SlackPacing;
  registry: AppsRegistry;
  logger: Logger;
  minEditIntervalMs?: number;
  now?: () => number;
}): Notifier {
  const now = deps.now ?? Date.now;
  const minInterval = deps.minEditIntervalMs ?? DEFAULT_MIN_EDIT_INTERVAL_MS;
  const threads = new Map<string, ThreadState>();
  /** Runs whose final message went out: a late progress update must not overwrite it. */
  const finished = new Set<string>();

  const labels = (ref: MigrationRef): AppLabels => appLabels(deps.registry, ref);
  const postPlan = createPlanPoster(deps);
  const stateOf = (id: string) => {
    let state = threads.get(id);
    if (!state) {
      state = { lastEditAt: Number.NEGATIVE_INFINITY, lastPercent: -1, milestones: new Set() };
      threads.set(id, state);
    }
    return state;
  };

  async function editParent(
    ref: MigrationRef,
    state: ParentState,
    client: Pick<WebClient, 'chat'> = deps.client,
  ): Promise<void> {
    const thread = ref.slack;
    if (!thread?.threadTs) return;
    const message = parentMessage(ref, labels(ref), state);
    await client.chat.update({
      channel: thread.channel,
      ts: thread.threadTs,
      text: message.text,
      blocks: message.blocks,
    });
  }

  async function reply(ref: MigrationRef, message: { text: string; blocks: unknown[] }): Promise<void> {
    const thread = ref.slack;
    if (!thread) return;
    await deps.client.chat.postMessage({
      channel: thread.channel,
      ...(thread.threadTs ? { thread_ts: thread.threadTs } : {}),
      text: message.text,
      blocks: message.blocks as never,
      unfurl_links: false,
    });
  }

  return {
    async event(ref, event) {
      if (event.type === 'finished' || event.type === 'failed') {
        threads.delete(ref.migrationId);
        finished.add(ref.migrationId);
        // Remember only recent runs: a late progress update arrives within seconds, not days.
        if (finished.size > 1_000) finished.delete(finished.values().next().value as string);
        const final: ParentState =
          event.type === 'finished'
            ? { kind: 'finished', summary: event.summary }
            : { kind: 'failed', reason: event.reason, summary: event.summary };
        // The parent's final state does not depend on the reply getting through (no Cancel left behind).
        await (async () => {
          await deps.pacing?.finalEdit();
          await editParent(ref, final);
        })().catch((error: unknown) =>
          deps.logger.warn('final status edit failed', { migrationId: ref.migrationId, error }),
        );
      }
      await reply(ref, withApprovalNote(ref, event, eventMessage(ref.migrationId, event)));
    },

    async progress(ref, progress: ProgressPayload) {
      if (finished.has(ref.migrationId)) return;
      const state = stateOf(ref.migrationId);
      const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
      // Each quartile gets its reply once, even when one update crosses several (a fast run), so a
      // completed run always has the same replies whatever its size.
      const counting = progress.step === 'cloning' || progress.step === 'report';
      for (const milestone of MILESTONES) {
        if (!counting || percent < milestone || state.milestones.has(milestone)) continue;
        state.milestones.add(milestone);
        const text = `${milestone}% done — ${progress.done} of ${progress.total} accounts: ${countsLine(progress.counts)}`;
        await reply(ref, {
          text,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:hourglass_flowing_sand: ${text}` } }],
        }).catch((error: unknown) =>
          deps.logger.warn('milestone reply dropped', { migrationId: ref.migrationId, error }),
        );
      }
      if (percent < state.lastPercent + EDIT_EVERY_PERCENT || now() - state.lastEditAt < minInterval) return;
      try {
        // No free slot: skip, and leave the throttle as it was so that the next update tries again.
        if (deps.pacing && !(await deps.pacing.tryProgressEdit())) return;
        state.lastEditAt = now();
        state.lastPercent = percent;
        await editParent(ref, { kind: 'running', progress }, deps.progressClient);
      } catch (error) {
        deps.logger.warn('progress edit dropped', { migrationId: ref.migrationId, error });
      }
    },

    async plan(ref, outcome, file) {
      finished.add(ref.migrationId);
      await postPlan(ref, outcome, file);
    },

    async uploadReport(ref, file, summary) {
      const thread = ref.slack;
      if (!thread) return;
      const upload = {
        file: await readFile(file.path),
        filename: file.filename,
        title: `Migration report ${ref.migrationId}`,
        initial_comment: `:page_facing_up: Report: ${file.rows} accounts — ${countsLine(summary.counts)}`,
      };
      try {
        await deps.client.filesUploadV2(
          thread.threadTs
            ? { ...upload, channel_id: thread.channel, thread_ts: thread.threadTs }
            : { ...upload, channel_id: thread.channel },
        );
      } catch (error) {
        throw classifyUploadError(error); // permanent ones go to the requester's DM instead
      }
    },
  };
}
