/**
 * The ports a migration run depends on — its store, the Nylas clients, the notifier, the admin check —
 * and its settings. The runner and steps see only these; the worker wires the real ones in.
 */
import type { V2App, V3App } from '../config/apps-registry.js';
import type { MigrationClient } from '../nylas/migration-client.js';
import type { V2Client } from '../nylas/v2-client.js';
import type { V3Client } from '../nylas/v3-client.js';
import type { Logger } from '../shared/logger.js';
import type { AccountRecord, AccountResult } from './account.js';
import type { ConnectorStatus } from './checklist.js';
import type { MigrationRef, Notifier } from './notifier.js';
import type { MigrationStep, ProgressPayload, StatusCounts } from './progress.js';
import type { ReportSource } from './report.js';
import type { MigrationRequest } from './request.js';
import type { MigrationSummary } from './summary.js';

/** What a run remembers between attempts (a crash, a redelivery), so it resumes instead of redoing. */
export interface RunCheckpoint {
  stepsDone: MigrationStep[];
  /** v2 listing offset reached; the next page starts here. */
  listedThrough: number;
  listingComplete: boolean;
  connectors?: ConnectorStatus[] | undefined;
  /** When the first attempt started (ms since epoch). */
  startedAt?: number | undefined;
  /** Time spent cloning in earlier attempts (ms) and clone calls made, for the achieved rate. */
  cloneElapsedMs: number;
  cloneCalls: number;
}

/**
 * The run's view of its records. Every write is fenced by the run's lease: once another worker has
 * taken the migration over, a write throws `LeaseLostError` and writes nothing.
 */
export interface RunStore extends ReportSource {
  checkpoint(): Promise<RunCheckpoint>;
  saveCheckpoint(patch: Partial<RunCheckpoint>): Promise<void>;
  /** Appends a page of the v2 listing (ids already listed are left out) and moves the cursor, atomically. */
  appendAccounts(accounts: AccountRecord[], listedThrough: number, complete: boolean): Promise<void>;
  /** Records outcomes (and the status counters) in one round trip. */
  writeResults(entries: ReadonlyArray<{ account: AccountRecord; result: AccountResult }>): Promise<void>;
  counts(): Promise<StatusCounts>;
  cancelRequested(): Promise<string | undefined>;
  /** Records that the v3 app is linked to this v2 app, for the form's checks next time. */
  rememberLink(v3AppId: string, v2AppId: string): Promise<void>;
}

export interface RunNylas {
  v2: Pick<V2Client, 'getApplication' | 'accountPages'>;
  v3: Pick<
    V3Client,
    'getApplication' | 'updateApplication' | 'listConnectors' | 'listGrants' | 'grantsForAccounts'
  >;
  migration: Pick<MigrationClient, 'linkApps' | 'importV2App' | 'cloneAccount' | 'listJobs'>;
}

export type AdminCheck = (
  userId: string,
  teamId: string | undefined,
) => Promise<{ ok: true } | { ok: false; reason: string }>;

export interface RunSettings {
  /** Clone requests in flight at once; the shared rate budget decides when each is sent. */
  cloneConcurrency: number;
  /** Accounts handled per existence lookup (`GET /v3/grants?account_ids=`). */
  chunkSize: number;
  /** Clone attempts per account for transient failures. */
  maxCloneAttempts: number;
  /** After an ambiguous clone failure, wait this long before looking for the grant it may have made. */
  ambiguousSettleMs: number;
  progressIntervalMs: number;
  cancelPollMs: number;
  /** Pace of one-account grant lookups, when `account_ids` lists cannot be trusted (grant-lookup.ts). */
  lookupsPerSecond: number;
  /** How often Nylas's own migration jobs (import, Dashboard) are checked while the run waits for them. */
  nylasJobPollMs: number;
  reportDir: string;
}

export const DEFAULT_RUN_SETTINGS: RunSettings = {
  cloneConcurrency: 24,
  chunkSize: 50,
  maxCloneAttempts: 4,
  ambiguousSettleMs: 2_000,
  progressIntervalMs: 250,
  cancelPollMs: 500,
  nylasJobPollMs: 5_000,
  lookupsPerSecond: 10,
  reportDir: '',
};

export interface RunDeps {
  request: MigrationRequest;
  apps: { v2: V2App | undefined; v3: V3App | undefined };
  nylas: RunNylas;
  store: RunStore;
  /** The run this one retries (`only_failed`): its accounts and results. */
  previous?: ReportSource | undefined;
  notifier: Notifier;
  verifyAdmin: AdminCheck;
  /** Receives throttled progress (the worker stores it on the job and edits the thread's parent). */
  onProgress?: (progress: ProgressPayload) => Promise<void> | void;
  /** Called when the report could not be delivered: the worker keeps it owed and retries. */
  onReportUndelivered?: (error: unknown) => Promise<void>;
  settings: RunSettings;
  logger: Logger;
  now?: () => number;
  /** Hard stop: aborts requests in flight (the lease was lost). */
  signal?: AbortSignal;
  /** Soft stop (shutdown): no new clone starts, in-flight ones finish, then the run throws `RunInterrupted`. */
  drainSignal?: AbortSignal;
}

export type { MigrationRef, MigrationSummary };
