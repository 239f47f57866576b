import type { ModalView } from '@slack/types';
import type { V2App, V3App } from '../../config/apps-registry.js';
import { PROVIDER_FAMILY_LABELS } from '../../migration/providers.js';
import type { FormInput } from '../form.js';
import { CALLBACK } from '../ids.js';
import { planFirstBlock } from './plan-first-block.js';
import { context, escapeMrkdwn, plain, section } from './text.js';

export interface ConfirmMetadata {
  channel: string;
  /** The command's response_url, for notices where /migrate was typed. */
  responseUrl?: string | undefined;
  form: FormInput;
}

const yesNo = (on: boolean) => (on ? 'yes' : 'no');

/** What will happen, to which app, in which region; its submit button says "Create app". */
export function confirmView(input: {
  form: FormInput;
  v2: V2App;
  v3: V3App;
  channel: string;
  responseUrl?: string | undefined;
  threadChannel: string;
  /** Set when MIGRATE_APPROVAL_ENVIRONMENTS lists this environment: how long a second admin has to approve. */
  approvalWindowMs?: number | undefined;
}): ModalView {
  const { form, v2, v3 } = input;
  const providers = form.options.providers?.map((p) => PROVIDER_FAMILY_LABELS[p]).join(', ') ?? 'all';
  const environmentNote =
    form.environment === 'Development' ? ' (sent to Nylas as staging; tagged Development here)' : '';
  const metadata: ConfirmMetadata = {
    channel: input.channel,
    ...(input.responseUrl ? { responseUrl: input.responseUrl } : {}),
    form,
  };
  return {
    type: 'modal',
    callback_id: CALLBACK.confirm,
    title: plain('Confirm migration', 24),
    submit: plain('Create app', 24),
    close: plain('Back', 24),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      section(
        `*${escapeMrkdwn(v2.name)}* (v2 \`${escapeMrkdwn(v2.id)}\`, Legacy) → *${escapeMrkdwn(v3.name)}* (v3 \`${escapeMrkdwn(v3.id)}\`), region *${v2.region.toUpperCase()}*`,
      ),
      section(
        [
          `*Title:* ${escapeMrkdwn(form.title)}`,
          `*Environment:* ${form.environment}${environmentNote}`,
          `*Description:* ${form.description ? escapeMrkdwn(form.description) : '—'}`,
        ].join('\n'),
      ),
      section(
        [
          '*What will happen*',
          '1. Link the two applications and import the v2 settings (connectors, redirect URIs, icon and website URLs).',
          `2. Apply the title, environment${form.description ? ' and description' : ''} to the v3 application.`,
          `3. Clone every v2 account into a v3 grant (providers: ${providers}; placeholders: ${yesNo(form.options.placeholders)}; Microsoft placeholders: ${yesNo(form.options.microsoftPlaceholders)}; skip cancelled/deleted accounts: ${yesNo(form.options.skipInactiveBilling)}), at most 20 requests a second.`,
          `4. Post progress, a CSV report and a follow-up checklist in a thread in <#${input.threadChannel}>.`,
        ].join('\n'),
      ),
      ...(input.approvalWindowMs !== undefined
        ? [
            section(
              `:raised_hand: *${form.environment} needs a second admin.* "Create app" reserves the apps and asks in the thread; nothing happens at Nylas until another verified admin presses *Approve* (within ${waitingTime(input.approvalWindowMs)}).`,
            ),
          ]
        : []),
      context(
        'The v3 application must exist already (Nylas creates v3 apps only in its Dashboard). v2 keeps running; nothing is deleted.',
      ),
      planFirstBlock(),
    ],
  };
}

/** A closing notice in place of the modal (e.g. the migration is already running). */
export function noticeView(title: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: CALLBACK.notice,
    title: plain(title, 24),
    close: plain('Close', 24),
    blocks: [section(text)],
  };
}

/** "24 hours", "90 minutes", "2 seconds": the approval window as an admin reads it. */
function waitingTime(ms: number): string {
  const [amount, unit] =
    ms >= 3_600_000
      ? [ms / 3_600_000, 'hour']
      : ms >= 60_000
        ? [ms / 60_000, 'minute']
        : [ms / 1000, 'second'];
  const rounded = Math.round(amount);
  return `${rounded} ${unit}${rounded === 1 ? '' : 's'}`;
}
