import type { LengthUnit } from './block-kit.js';
/** A workspace member as the stand-in knows it; `usersInfo` renders it in Slack's snake_case shape. */
export interface SimSlackUser {
  id: string;
  /** Defaults to the stand-in's team. */
  teamId?: string;
  /** Handle (`name`); defaults to the id in lower case. */
  name?: string;
  realName?: string;
  email?: string;
  deleted?: boolean;
  isAdmin?: boolean;
  isOwner?: boolean;
  isPrimaryOwner?: boolean;
  /** A guest. */
  isRestricted?: boolean;
  /** A single-channel guest. */
  isUltraRestricted?: boolean;
  isBot?: boolean;
  /** A Slack Connect user of another organization (`is_stranger`). */
  isStranger?: boolean;
  /** Set for Enterprise Grid members; rendered as `enterprise_user`. */
  enterpriseUser?: { enterpriseId: string; isAdmin?: boolean; isOwner?: boolean };
}

export interface SimChannel {
  id: string;
  name: string;
  botIsMember: boolean;
  /** A private channel: without the bot in it, Slack answers `channel_not_found` (it is invisible). */
  isPrivate?: boolean;
  /** A DM between two people (`D…`): the bot is never in it and cannot be invited. */
  isIm?: boolean;
  /** A group DM (`G…`/`C…` with `is_mpim`): the bot is not in it and cannot post. */
  isMpim?: boolean;
  /** Who is in it; unset means every user of the workspace (a public channel everyone joined). */
  members?: string[];
}

/** A `response_url` the stand-in issued, and where a post to it lands. */
export interface ResponseUrlTarget {
  channel: string;
  user: string;
  /** Set for interactions on a message: `replace_original` edits that message. */
  messageTs?: string;
  threadTs?: string;
}

/** A post to a `response_url`, as received (accepted or not). */
export interface SimResponse extends ResponseUrlTarget {
  url: string;
  body: Record<string, unknown>;
  /** What Slack did with it: shown to the user only, to everyone, replaced the message, or refused. */
  outcome: 'ephemeral' | 'in_channel' | 'replaced' | 'deleted' | 'refused';
  error?: string;
  at: number;
}

export interface SlackSimOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The only bot token accepted; default `xoxb-test`. */
  botToken?: string;
  /** The app-level token, the only one `apps.connections.open` takes (Socket Mode); default `xapp-test`. */
  appToken?: string;
  /** The app's id (`hello`'s `connection_info.app_id`); default `A_MIGRATE`. */
  appId?: string;
  /** How long a Socket Mode envelope waits for its ack; default 3000 ms, Slack's deadline. */
  ackTimeoutMs?: number;
  /** Default `T_TEST`. */
  teamId?: string;
  /** Default `U_BOT`. */
  botUserId?: string;
  /** Replaces the default users (`defaultSimUsers`); spread those in to extend them. */
  users?: SimSlackUser[];
  /** User group id → member ids. Default: `S_ADMINS` → [U_ADMIN, U_OWNER]. */
  usergroups?: Record<string, string[]>;
  /** Replaces the default channels (`defaultSimChannels`). */
  channels?: SimChannel[];
  /** Reject trigger ids that were not issued by `issueTriggerId()` (`invalid_trigger_id`). */
  strictTriggers?: boolean;
  /** How long an issued trigger id stays valid; default 3000 ms, as on Slack. */
  triggerTtlMs?: number;
  /**
   * How Slack's "characters" are counted in length limits: `utf16` (an astral emoji is 2, the
   * stricter reading, the default) or `code_points` (it is 1). Slack's docs do not say which.
   */
  lengthUnit?: LengthUnit;
  /** Scopes granted to the bot token; a method whose scope is missing answers `missing_scope`. */
  scopes?: string[];
  /** Slack's rate limits, strictly: Tier 3 at 50/min per method, chat.postMessage at 1/s per channel. */
  rateLimits?: boolean;
  /** Refuse every upload (`files.getUploadURLExternal`) with this error, as a workspace that forbids them. */
  refuseUploads?: string;
  /** A free workspace: user groups are a paid feature (`plan_upgrade_required`). */
  freePlan?: boolean;
  /** An Enterprise Grid organization: its id in `auth.test`, and whether the app is installed org-wide. */
  enterprise?: { id: string; orgWideInstall?: boolean };
  /** The app's Home tab; default on. Off, views.publish answers `not_enabled`. */
  homeTabEnabled?: boolean;
  /**
   * views.publish at most once per user per this many ms, else 429 (Slack asks apps not to republish a
   * Home tab often). Off by default, apart from `rateLimits`.
   */
  homePublishSpacingMs?: number;
}

/** A fault served instead of (or, with `afterEffect`, on top of) the next matching request(s). */
export type SimFault =
  | { method: string; times?: number; kind: 'ratelimited'; retryAfterSeconds?: number }
  | {
      method: string;
      times?: number;
      kind: 'http_500';
      /** Run the method (its effects happen) and then answer 500: the client cannot tell it worked. */
      afterEffect?: boolean;
    }
  | { method: string; times?: number; kind: 'error'; error: string };

export interface SimCall {
  /** The Web API method, or `upload` for a POST to an upload URL. */
  method: string;
  /** Arguments as parsed, JSON-encoded ones (`blocks`, `view`, `files`, …) decoded; no `token`. */
  args: Record<string, unknown>;
  /** The token the request carried (header or body), if any. */
  token?: string;
  /** `Date.now()` when the request arrived. */
  at: number;
  ok: boolean;
  error?: string;
  /** The HTTP status sent back (200 for API errors too). */
  status: number;
  /** The fault served, if this request was failed on purpose. */
  fault?: SimFault['kind'];
  /** Things real Slack accepts but we want to flag, e.g. `missing_text_fallback`. */
  warnings: string[];
}

export interface SimMessage {
  channel: string;
  ts: string;
  /** Set on thread replies (the parent's ts); absent on top-level messages. */
  threadTs?: string;
  user: string;
  text: string;
  blocks?: unknown[];
  /** Ids of files shared with this message (file uploads show up as messages). */
  files?: string[];
  /** How many times `chat.update` changed it. */
  edits: number;
  /** Blocks were sent without a `text` fallback (at posting or at the last edit). */
  missingTextFallback: boolean;
}

export interface SimFile {
  id: string;
  name: string;
  title: string;
  /** Absent until `files.completeUploadExternal` shared it to a channel. */
  channel?: string;
  threadTs?: string;
  initialComment?: string;
  /** Declared in `files.getUploadURLExternal`. */
  length: number;
  bytes: Buffer;
  /** `bytes` decoded as UTF-8. */
  text: string;
  /** The ts of the message that shared it. */
  messageTs?: string;
}

export interface SimEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  messageTs: string;
}

export interface SimViewEvent {
  kind: 'open' | 'update' | 'push' | 'publish';
  viewId: string;
  /** views.publish: whose Home tab. */
  userId?: string;
  triggerId?: string;
  /** The view as the client sent it. */
  view: Record<string, unknown>;
  at: number;
}

export interface IssueTriggerOptions {
  /** Pretend the trigger was issued this long ago (e.g. 5000 to get an expired one). */
  ageMs?: number;
}

/** A Socket Mode envelope's ack, as the app sent it back. */
export interface SocketAck {
  envelopeId: string;
  /** The whole ack message; its `payload` is what the app's `ack(…)` passed (`{}` for a bare ack). */
  ack: { envelope_id: string; payload?: unknown; [key: string]: unknown };
  /** The trigger id the stand-in put in the envelope (slash commands, clicks, view submissions). */
  triggerId?: string;
}

export interface SendEnvelopeOptions {
  /** Overrides the stand-in's `ackTimeoutMs` for this envelope. */
  ackTimeoutMs?: number;
  /** Issue the envelope's trigger id as if this long ago (e.g. 5000: it has expired on arrival). */
  triggerAgeMs?: number;
}

export interface SlackSim {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `url + '/api/'`, for `new WebClient(token, { slackApiUrl })`. */
  apiUrl: string;
  botToken: string;
  /** The app-level token for Socket Mode (`apps.connections.open`). */
  appToken: string;
  teamId: string;
  botUserId: string;
  /** Closes the server, Socket Mode connections included. */
  close(): Promise<void>;

  /** Every request in arrival order, optionally only one method's. */
  calls(method?: string): SimCall[];
  /** Top-level messages of a channel (DMs too), with their current text/blocks. */
  messages(channel: string): SimMessage[];
  /** Replies in a thread, in order (the parent excluded). */
  thread(channel: string, threadTs: string): SimMessage[];
  /** Completed uploads, optionally of one channel and thread. */
  files(channel?: string, threadTs?: string): SimFile[];
  ephemerals(): SimEphemeral[];
  /** views.open / views.update / views.push / views.publish, in order. */
  views(): SimViewEvent[];
  /** The Home tab currently published for a user (as views.publish returned it), or undefined. */
  homeView(userId: string): Record<string, unknown> | undefined;
  /** The successful views.publish calls for a user's Home tab, in order. */
  homePublishes(userId: string): SimViewEvent[];
  /** A view's current state as views.* returned it last, or undefined. */
  view(viewId: string): Record<string, unknown> | undefined;
  /** The DM channel id `conversations.open` gives for this user (the same one every time). */
  dmChannelFor(userId: string): string;

  /** Queue a fault for the next matching request(s); `method: '*'` matches any. */
  failNext(fault: SimFault): void;
  /**
   * Answers every later call of `method` after `ms` (0 undoes it), as a slow Slack does: `users.info`
   * at 2.5 s leaves a handler that awaits it no time to ack within Slack's 3 s.
   */
  setLatency(method: string, ms: number): void;
  /** A trigger id as Slack would put in an interaction payload; it works once, for `triggerTtlMs`. */
  issueTriggerId(options?: IssueTriggerOptions): string;
  /**
   * A `response_url` as Slack puts in a command or interaction payload: it works from anywhere the
   * user typed (a DM between people too), at most 5 times, for 30 minutes.
   */
  issueResponseUrl(target: ResponseUrlTarget): string;
  /** Posts received on response URLs, in order. */
  responses(): SimResponse[];
  removeUsergroup(id: string): void;
  /** A message a person wrote (not the bot); its ts. */
  postAsUser(channel: string, userId: string, text: string): string;
  /** Add or replace a user (e.g. demote an admin between two steps). */
  upsertUser(user: SimSlackUser): void;
  upsertChannel(channel: SimChannel): void;
  setUsergroup(id: string, members: string[]): void;

  // Socket Mode: `apps.connections.open` → `ws://127.0.0.1:<port>/socket-mode?ticket=…` → `hello`.

  /** Open Socket Mode connections. */
  socketConnections(): number;
  /** Resolves once a Socket Mode client is connected; rejects after `timeoutMs` (default 5000). */
  waitForSocketConnection(timeoutMs?: number): Promise<void>;
  /**
   * Sends a `slash_commands` envelope (payload: the fields of the HTTP form body, as an object) to
   * the oldest connection; resolves with its ack, rejects if none comes within the ack timeout, or
   * with `RefusedAckError` if the ack's payload is one Slack would refuse. As Slack does, the stand-in
   * puts a freshly issued trigger id in the envelope (whatever `trigger_id` the caller gave), returned
   * as `triggerId`: it works once, for `triggerTtlMs`.
   */
  sendSlashCommand(fields: Record<string, string>, options?: SendEnvelopeOptions): Promise<SocketAck>;
  /** Sends an `interactive` envelope (payload: what HTTP mode posts as `payload=`); as above. */
  sendInteractive(payload: unknown, options?: SendEnvelopeOptions): Promise<SocketAck>;
  /**
   * Sends an `events_api` envelope (payload: the `event_callback` HTTP mode posts, see the driver's
   * `eventCallbackPayload`) to the oldest connection; resolves with its ack, rejects if none comes in time.
   */
  sendEvent(payload: Record<string, unknown>, options?: SendEnvelopeOptions): Promise<SocketAck>;
  /** Sends `{ type: 'disconnect', reason }` to every connection: the client should reconnect. How many were told. */
  sendDisconnect(reason?: string): number;

  /** Forget everything recorded and queued; users, channels and groups go back to the start options. */
  reset(): void;
}
