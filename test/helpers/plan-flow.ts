import { buttonClickPayload, payloadBody, postToBot } from '../../testkit/slack-sim/driver.js';
import type { Stack } from './stack.js';
import { V2_APP, V3_APP } from './worker-harness.js';

/** /migrate → form → the confirm view (not submitted): the view Slack shows and the modal's id. */
export async function openConfirm(s: Stack, userId = 'U_ADMIN', values: Record<string, unknown> = {}) {
  const opensBefore = s.opensSoFar();
  await s.command(userId);
  const form = await s.openedView(opensBefore);
  const answer = await s.submitForm(
    userId,
    { v2AppId: V2_APP.clientId, v3AppId: V3_APP.applicationId, title: 'Acme on v3', ...values },
    form,
  );
  const push = answer.json as { response_action?: string; view?: Record<string, unknown> };
  if (push.response_action !== 'push' || !push.view) throw new Error(`form not accepted: ${answer.text}`);
  // Slack keeps one modal (its stack) under the form's view id; views.update on it shows the notice.
  return { viewId: form.id, view: push.view };
}

/** A click on a button inside a modal, as Slack sends it: the view (with its metadata), no message. */
export function clickInModal(
  s: Stack,
  userId: string,
  modal: { viewId: string; view: Record<string, unknown> },
  actionId: string,
) {
  const base = buttonClickPayload({
    userId,
    channelId: 'C_GENERAL',
    messageTs: '0',
    actionId,
    value: 'plan',
  });
  const { channel: _c, message: _m, response_url: _r, ...rest } = base;
  return postToBot(
    s.botUrl,
    payloadBody({
      ...rest,
      container: { type: 'view', view_id: modal.viewId },
      trigger_id: s.slack.issueTriggerId(),
      view: {
        id: modal.viewId,
        type: 'modal',
        callback_id: String(modal.view.callback_id),
        private_metadata: String(modal.view.private_metadata ?? ''),
        state: { values: {} },
      },
    }),
  );
}

/** A click on a message button with a trigger id Slack issued (so the bot can open a modal with it). */
export function clickWithTrigger(
  s: Stack,
  userId: string,
  input: { messageTs: string; threadTs: string; actionId: string; value: string },
) {
  const payload = buttonClickPayload({
    userId,
    channelId: 'C_GENERAL',
    messageTs: input.messageTs,
    actionId: input.actionId,
    value: input.value,
    responseUrl: s.slack.issueResponseUrl({
      channel: 'C_GENERAL',
      user: userId,
      messageTs: input.messageTs,
      threadTs: input.threadTs,
    }),
  });
  return postToBot(s.botUrl, payloadBody({ ...payload, trigger_id: s.slack.issueTriggerId() }));
}

/** The plan's parent message (its fallback text names the plan) and its replies. */
export function planThread(s: Stack) {
  const parent = s.slack
    .messages('C_GENERAL')
    .find((m) => JSON.stringify(m.blocks ?? []).includes('Plan (dry run') || m.text.startsWith('Plan "'));
  return parent ? { parent, replies: () => s.slack.thread('C_GENERAL', parent.ts) } : undefined;
}

/** Nylas calls that change something, from the simulator's own request log. */
export function writeCalls(s: Stack): string[] {
  return Object.keys(s.nylas.counters().requests).filter((key) => /^(POST|PUT|PATCH|DELETE) /.test(key));
}
