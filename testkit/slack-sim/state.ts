import type { LengthUnit } from './block-kit.js';
import { Directory } from './directory.js';
import { FaultQueue } from './faults.js';
import { RateLimits } from './rate-limits.js';
import { ResponseUrls } from './response-urls.js';
import { SocketTickets } from './socket-tickets.js';
import { MessageTsClock } from './timestamps.js';
import { TriggerRegistry } from './triggers.js';
import type {
  SimCall,
  SimChannel,
  SimEphemeral,
  SimFile,
  SimMessage,
  SimSlackUser,
  SimViewEvent,
} from './types.js';

export interface SimConfig {
  botToken: string;
  /** The app-level token (Socket Mode). */
  appToken: string;
  appId: string;
  ackTimeoutMs: number;
  teamId: string;
  botUserId: string;
  botId: string;
  scopes: readonly string[];
  triggerTtlMs: number;
  lengthUnit: LengthUnit;
  strictTriggers: boolean;
  users: readonly SimSlackUser[];
  channels: readonly SimChannel[];
  usergroups: Readonly<Record<string, readonly string[]>>;
  freePlan: boolean;
  refuseUploads: string | undefined;
  rateLimits: boolean;
  enterprise: { id: string; orgWideInstall?: boolean } | undefined;
  /** The app's Home tab is on (`features.app_home.home_tab_enabled`); off, views.publish is `not_enabled`. */
  homeTabEnabled: boolean;
  /** views.publish at most once per user per this long (429 otherwise); undefined: not limited. */
  homePublishSpacingMs: number | undefined;
}

/** A file between `files.getUploadURLExternal` and `files.completeUploadExternal`, and after. */
export interface StoredFile {
  id: string;
  name: string;
  length: number;
  bytes?: Buffer;
  completed: boolean;
  title?: string;
  channel?: string;
  threadTs?: string;
  initialComment?: string;
  messageTs?: string;
}

export interface StoredView {
  id: string;
  externalId?: string;
  hash: string;
  rootViewId: string;
  /** The view as views.* returned it. */
  rendered: Record<string, unknown>;
}

/** Everything the stand-in knows and has recorded; the method handlers read and change it. */
export class SimState {
  /** Set once the server listens: `http://127.0.0.1:<port>`. */
  url = '';
  readonly directory: Directory;
  readonly clock = new MessageTsClock();
  readonly triggers: TriggerRegistry;
  readonly faults = new FaultQueue();
  readonly responseUrls = new ResponseUrls();
  readonly rateLimits = new RateLimits();
  /** Tickets `apps.connections.open` handed out, redeemed by the WebSocket upgrade. */
  readonly socketTickets = new SocketTickets();
  readonly calls: SimCall[] = [];
  readonly messages: SimMessage[] = [];
  readonly ephemerals: SimEphemeral[] = [];
  readonly viewEvents: SimViewEvent[] = [];
  readonly views = new Map<string, StoredView>();
  /** Each user's published Home tab (views.publish). */
  readonly homeViews = new Map<string, StoredView>();
  readonly files = new Map<string, StoredFile>();
  /** Method → how long its answers wait (`setLatency`). */
  readonly latencies = new Map<string, number>();
  private idCounter = 0;

  constructor(readonly config: SimConfig) {
    this.directory = new Directory(config);
    this.triggers = new TriggerRegistry(config.triggerTtlMs, config.strictTriggers);
  }

  /** A fresh id with Slack's one-letter kind prefix (`F` file, `V` view, …). */
  nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}SIM${String(this.idCounter).padStart(6, '0')}`;
  }

  setLatency(method: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`setLatency: ms must be ≥ 0, got ${ms}`);
    if (ms === 0) this.latencies.delete(method);
    else this.latencies.set(method, ms);
  }

  findMessage(channel: string, ts: string): SimMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  reset(): void {
    this.directory.reset();
    this.triggers.clear();
    this.faults.clear();
    this.latencies.clear();
    this.responseUrls.clear();
    this.rateLimits.clear();
    this.socketTickets.clear();
    this.calls.length = 0;
    this.messages.length = 0;
    this.ephemerals.length = 0;
    this.viewEvents.length = 0;
    this.views.clear();
    this.homeViews.clear();
    this.files.clear();
  }

  // Snapshots: copies, so a test holding one sees the state of that moment and cannot change ours.

  callsSnapshot(method?: string): SimCall[] {
    return this.calls
      .filter((call) => method === undefined || call.method === method)
      .map((call) => structuredClone(call));
  }

  messagesSnapshot(channel: string): SimMessage[] {
    return this.messages
      .filter((message) => message.channel === channel && message.threadTs === undefined)
      .map((message) => structuredClone(message));
  }

  threadSnapshot(channel: string, threadTs: string): SimMessage[] {
    return this.messages
      .filter((message) => message.channel === channel && message.threadTs === threadTs)
      .map((message) => structuredClone(message));
  }

  filesSnapshot(channel?: string, threadTs?: string): SimFile[] {
    const shared: SimFile[] = [];
    for (const file of this.files.values()) {
      if (!file.completed || file.bytes === undefined) continue;
      if (channel !== undefined && file.channel !== channel) continue;
      if (threadTs !== undefined && file.threadTs !== threadTs) continue;
      const bytes = Buffer.from(file.bytes);
      shared.push({
        id: file.id,
        name: file.name,
        title: file.title ?? file.name,
        ...(file.channel === undefined ? {} : { channel: file.channel }),
        ...(file.threadTs === undefined ? {} : { threadTs: file.threadTs }),
        ...(file.initialComment === undefined ? {} : { initialComment: file.initialComment }),
        ...(file.messageTs === undefined ? {} : { messageTs: file.messageTs }),
        length: file.length,
        bytes,
        text: bytes.toString('utf8'),
      });
    }
    return shared;
  }

  ephemeralsSnapshot(): SimEphemeral[] {
    return this.ephemerals.map((ephemeral) => structuredClone(ephemeral));
  }

  viewEventsSnapshot(): SimViewEvent[] {
    return this.viewEvents.map((event) => structuredClone(event));
  }

  homeViewSnapshot(userId: string): Record<string, unknown> | undefined {
    const view = this.homeViews.get(userId);
    return view === undefined ? undefined : structuredClone(view.rendered);
  }

  viewSnapshot(viewId: string): Record<string, unknown> | undefined {
    const view = this.views.get(viewId);
    return view === undefined ? undefined : structuredClone(view.rendered);
  }
}
