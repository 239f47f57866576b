/**
 * Acts as Slack toward the bot: signs requests and builds the bodies Slack posts (slash commands,
 * view submissions, button clicks). Used by the demo, the end-to-end tests and the ack benchmark.
 * The `…Fields` / `…Payload` builders give the same content as objects, for Socket Mode envelopes
 * (`SlackSim.sendSlashCommand` / `sendInteractive`).
 */
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';

/** Signs a body as Slack does: `v0=` + HMAC-SHA256 over `v0:{timestamp}:{raw body}`. */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackPost {
  status: number;
  text: string;
  json: unknown;
  ms: number;
  /**
   * The bot answered after Slack's 3 s: Slack would have given up on it (an error shown to the user,
   * the ack's body ignored), whatever the bot answered then.
   */
  late: boolean;
}

/** Slack waits this long for the HTTP answer to a command or interaction. */
export const ACK_DEADLINE_MS = 3_000;

/** POSTs a form body to the bot's events endpoint, signed (or not) as the test says. */
export function postToBot(
  botUrl: string,
  body: string,
  options: { timestamp?: number; signature?: string; secret?: string } = {},
): Promise<SlackPost> {
  return signedPost(botUrl, body, 'application/x-www-form-urlencoded', options);
}

/** One signed POST to `/slack/events`, timed against Slack's 3 s: both of Slack's body kinds use it. */
async function signedPost(
  botUrl: string,
  body: string,
  contentType: string,
  options: { timestamp?: number; signature?: string; secret?: string },
): Promise<SlackPost> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(`${botUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(body, timestamp, options.secret),
    },
    body,
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, ms, late: ms > ACK_DEADLINE_MS };
}

export interface CommandInput {
  userId: string;
  text?: string;
  channelId?: string;
  teamId?: string;
  triggerId?: string;
  /** From `SlackSim.issueResponseUrl`; the default points nowhere reachable. */
  responseUrl?: string;
  /** Enterprise Grid: the organization, and whether the app is installed org-wide. */
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}

/** The fields of a `/migrate` invocation: HTTP mode form-encodes them, Socket Mode sends them as the payload. */
export function commandFields(input: CommandInput): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: input.teamId ?? 'T_TEST',
    team_domain: 'test',
    channel_id: input.channelId ?? 'C_GENERAL',
    channel_name: 'general',
    user_id: input.userId,
    user_name: input.userId.toLowerCase(),
    command: '/migrate',
    text: input.text ?? '',
    api_app_id: 'A_MIGRATE',
    is_enterprise_install: String(input.isEnterpriseInstall ?? false),
    ...(input.enterpriseId ? { enterprise_id: input.enterpriseId, enterprise_name: 'Grid' } : {}),
    response_url: input.responseUrl ?? 'https://hooks.slack.com/commands/T_TEST/1/abc',
    trigger_id: input.triggerId ?? `trigger.${Math.random().toString(36).slice(2)}`,
  };
}

export function commandBody(input: CommandInput): string {
  return new URLSearchParams(commandFields(input)).toString();
}

export function payloadBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Enterprise Grid fields an interactive payload may carry. */
export interface GridInput {
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}

/** Who sent an interaction, as every interactive payload carries it. */
function interactionSender(input: { userId: string; teamId?: string | undefined } & GridInput) {
  const team = input.teamId ?? 'T_TEST';
  const handle = input.userId.toLowerCase();
  return {
    team: { id: team, domain: 'test' },
    user: { id: input.userId, username: handle, name: handle, team_id: team },
    api_app_id: 'A_MIGRATE',
    token: 'legacy-verification-token',
    enterprise: input.enterpriseId ? { id: input.enterpriseId, name: 'Grid' } : null,
    is_enterprise_install: input.isEnterpriseInstall ?? false,
  };
}

export interface ViewSubmissionInput extends GridInput {
  userId: string;
  teamId?: string;
  view: { id?: string; callback_id: string; private_metadata?: string; blocks?: unknown[] };
  values: Record<string, Record<string, unknown>>;
}

/** A `view_submission` payload (the object; HTTP mode posts it JSON-encoded as `payload=`). */
export function viewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  return {
    type: 'view_submission',
    ...interactionSender(input),
    trigger_id: `trigger.${Math.random().toString(36).slice(2)}`,
    view: {
      id: input.view.id ?? 'V_TEST',
      team_id: input.teamId ?? 'T_TEST',
      type: 'modal',
      callback_id: input.view.callback_id,
      private_metadata: input.view.private_metadata ?? '',
      blocks: input.view.blocks ?? [],
      state: { values: input.values },
      hash: '1700000000.abc',
      title: { type: 'plain_text', text: 'Migrate' },
      app_id: 'A_MIGRATE',
      bot_id: 'B_BOT',
    },
    response_urls: [],
  };
}

export function viewSubmission(input: ViewSubmissionInput): string {
  return payloadBody(viewSubmissionPayload(input));
}

export interface OptionsLoadInput extends GridInput {
  userId: string;
  teamId?: string;
  actionId: string;
  blockId: string;
  /** What the user typed so far. */
  value: string;
  view: { id: string; callback_id: string; private_metadata?: string };
}

/** A `block_suggestion` payload: an external select asking the app for options (HTTP: `payload=`). */
export function optionsLoadPayload(input: OptionsLoadInput): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    ...interactionSender(input),
    container: { type: 'view', view_id: input.view.id },
    action_id: input.actionId,
    block_id: input.blockId,
    value: input.value,
    view: {
      id: input.view.id,
      type: 'modal',
      callback_id: input.view.callback_id,
      private_metadata: input.view.private_metadata ?? '',
      state: { values: {} },
    },
  };
}

export function optionsLoad(input: OptionsLoadInput): string {
  return payloadBody(optionsLoadPayload(input));
}

export interface ButtonClickInput extends GridInput {
  userId: string;
  /** From `SlackSim.issueResponseUrl`; the default points nowhere reachable. */
  responseUrl?: string;
  teamId?: string;
  channelId: string;
  messageTs: string;
  actionId: string;
  value: string;
}

/** A `block_actions` payload for a button in a message (the object; HTTP mode posts it as `payload=`). */
export function buttonClickPayload(input: ButtonClickInput): Record<string, unknown> {
  return {
    type: 'block_actions',
    ...interactionSender(input),
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channelId,
      is_ephemeral: false,
    },
    trigger_id: `trigger.${Math.random().toString(36).slice(2)}`,
    channel: { id: input.channelId, name: 'general' },
    message: { type: 'message', ts: input.messageTs, text: 'migration', user: 'U_BOT' },
    response_url: input.responseUrl ?? 'https://hooks.slack.com/actions/T_TEST/1/abc',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'controls',
        value: input.value,
        action_ts: String(Date.now() / 1000),
        text: { type: 'plain_text', text: 'x' },
      },
    ],
  };
}

export function buttonClick(input: ButtonClickInput): string {
  return payloadBody(buttonClickPayload(input));
}

/** `view.state.values` for the form, as Slack builds it from what the user picked. */
export function formValues(input: {
  v2AppId?: string;
  v3AppId?: string;
  title?: string;
  environment?: string;
  description?: string;
  options?: string[];
  providers?: string[];
}): Record<string, Record<string, unknown>> {
  const pick = (value: string | undefined) => ({
    type: 'static_select',
    selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null,
  });
  return {
    v2_app: { v2_app_select: pick(input.v2AppId) },
    v3_app: { v3_app_select: pick(input.v3AppId) },
    title: { title_input: { type: 'plain_text_input', value: input.title ?? null } },
    environment: { environment_select: pick(input.environment ?? 'Production') },
    description: { description_input: { type: 'plain_text_input', value: input.description ?? null } },
    options: {
      options_checkboxes: {
        type: 'checkboxes',
        selected_options: (
          input.options ?? ['placeholders', 'microsoft_placeholders', 'skip_inactive_billing']
        ).map((value) => ({ value, text: { type: 'plain_text', text: value } })),
      },
    },
    providers: {
      providers_select: {
        type: 'multi_static_select',
        selected_options: (input.providers ?? []).map((value) => ({
          value,
          text: { type: 'plain_text', text: value },
        })),
      },
    },
  };
}

export interface EventInput extends GridInput {
  teamId?: string;
  /** The event itself (`type`, `user`, …), e.g. from `appHomeOpenedEvent`. */
  event: Record<string, unknown> & { type: string };
}

/**
 * An Events API `event_callback` envelope as Slack sends it (HTTP mode: the JSON body of a signed POST;
 * Socket Mode: the payload of an `events_api` envelope).
 */
export function eventCallbackPayload(
  input: EventInput,
): Record<string, unknown> & { type: 'event_callback' } {
  const team = input.teamId ?? 'T_TEST';
  return {
    token: 'legacy-verification-token',
    team_id: team,
    ...(input.enterpriseId ? { enterprise_id: input.enterpriseId } : {}),
    api_app_id: 'A_MIGRATE',
    event: input.event,
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        team_id: team,
        user_id: 'U_BOT',
        is_bot: true,
        is_enterprise_install: input.isEnterpriseInstall ?? false,
        ...(input.enterpriseId ? { enterprise_id: input.enterpriseId } : {}),
      },
    ],
    is_ext_shared_channel: false,
    ...(input.isEnterpriseInstall ? { is_enterprise_install: true } : {}),
  };
}

/** `app_home_opened` as Slack sends it when a user opens the app's Home tab (or its Messages tab). */
export function appHomeOpenedEvent(
  userId: string,
  tab: 'home' | 'messages' = 'home',
): Record<string, unknown> & { type: 'app_home_opened' } {
  return {
    type: 'app_home_opened',
    user: userId,
    // The DM between the app and the user, as Slack names it.
    channel: `D_${userId}`,
    tab,
    event_ts: String(Date.now() / 1000),
  };
}

/** POSTs an Events API body (JSON, signed) to the bot's events endpoint, as Slack's HTTP mode does. */
export function postEventToBot(
  botUrl: string,
  payload: Record<string, unknown>,
  options: { timestamp?: number; signature?: string; secret?: string } = {},
): Promise<SlackPost> {
  return signedPost(botUrl, JSON.stringify(payload), 'application/json', options);
}

export interface HomeButtonInput extends GridInput {
  userId: string;
  teamId?: string;
  /** The Home view the button is in (`SlackSim.homeView(userId)`). */
  view: Record<string, unknown>;
  actionId: string;
  value: string;
  blockId?: string;
}

/** A `block_actions` payload for a button on the Home tab: a view container, and no response_url. */
export function homeButtonClickPayload(input: HomeButtonInput): Record<string, unknown> {
  return {
    type: 'block_actions',
    ...interactionSender(input),
    container: { type: 'view', view_id: input.view.id },
    trigger_id: `trigger.${Math.random().toString(36).slice(2)}`,
    view: input.view,
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: input.blockId ?? 'home',
        value: input.value,
        action_ts: String(Date.now() / 1000),
        text: { type: 'plain_text', text: 'x' },
      },
    ],
  };
}
