import type { WebClient } from '@slack/web-api';
import type { AppsRegistry } from '../config/apps-registry.js';
import type { MigrationProducer } from '../queue/producer.js';
import type { Logger } from '../shared/logger.js';
import type { MigrationRecords } from '../store/migration-records.js';
import type { AdminVerifier } from './admin-verifier.js';
import type { ApprovalGate } from './approval/gate.js';
import type { ChannelReach } from './channel-reach.js';
import type { HomeRefresher } from './home/home-refresher.js';
import type { Permalinks } from './permalinks.js';
import type { ResponsePoster } from './response-url.js';

/** What the Slack listeners need; each listener takes only this, so tests can build it from real parts. */
export interface BotDeps {
  registry: AppsRegistry;
  records: MigrationRecords;
  producer: MigrationProducer;
  verifier: AdminVerifier;
  logger: Logger;
  /** MIGRATE_CHANNEL: post every thread there instead of the invoking channel. */
  migrateChannel: string | undefined;
  /** Can the bot post in a conversation? Asked at the command, before the form opens. */
  reach: ChannelReach;
  /** Posts the thread's parent after the ack, waiting out Slack's per-channel rate limit. */
  threadClient: WebClient;
  /** Thread links, from chat.getPermalink (cached). */
  permalinks: Permalinks;
  /** Answers through a payload's response_url (works where the bot cannot post). */
  respond: ResponsePoster;
  /** Queues a report's re-upload into its thread (`/migrate report <id>`). */
  reports: { reupload(migrationId: string, requestedBy: string): Promise<void> };
  /** The second-admin approval step (MIGRATE_APPROVAL_ENVIRONMENTS); unset: no run ever waits. */
  approval?: ApprovalGate | undefined;
  /** The App Home (publishes and refreshes it); unset, the Home tab is not served. */
  home?: HomeRefresher;
  /** Bounds the admin check (default VERIFY_TIMEOUT_MS); the ack itself is bounded by the ack budget. */
  verifyTimeoutMs?: number;
}
