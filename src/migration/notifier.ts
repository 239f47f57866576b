import type { ConnectorStatus } from './checklist.js';
import type { PlanOutcome } from './plan/plan-report.js';
import type { MigrationStep, ProgressPayload } from './progress.js';
import type { MigrationRequest } from './request.js';
import type { MigrationSummary } from './summary.js';

/** What a message needs to know about the run it belongs to (its thread, who asked, which apps). */
export type MigrationRef = Pick<
  MigrationRequest,
  | 'migrationId'
  | 'v2AppId'
  | 'v3AppId'
  | 'title'
  | 'environment'
  | 'mode'
  | 'requestedBy'
  | 'slack'
  | 'retryOf'
  | 'approval'
>;

/** Things worth a thread reply: per step and per milestone, never per account. */
export type MigrationEvent =
  | { type: 'started'; resumed: boolean; region: string; v2AppName: string; v3AppName: string }
  | { type: 'step_done'; step: MigrationStep; text: string; details?: string[] }
  | { type: 'warning'; step: MigrationStep; text: string }
  | { type: 'connectors'; connectors: ConnectorStatus[] }
  | { type: 'milestone'; text: string }
  | { type: 'cancel_requested'; by: string }
  | { type: 'finished'; summary: MigrationSummary }
  | { type: 'failed'; step: MigrationStep; reason: string; summary?: MigrationSummary };

export interface ReportFile {
  path: string;
  filename: string;
  rows: number;
}

/**
 * Where a run tells people what happens. The Slack thread implements it; tests record it. A failing
 * notifier never fails the migration: events are retried a bounded number of times then dropped,
 * progress may be dropped (the next update carries the truth), the report is owed until delivered.
 */
export interface Notifier {
  event(ref: MigrationRef, event: MigrationEvent): Promise<void>;
  progress(ref: MigrationRef, progress: ProgressPayload): Promise<void>;
  uploadReport(ref: MigrationRef, file: ReportFile, summary: MigrationSummary): Promise<void>;
  /** A plan's (dry run's) end: its tables, its CSV of predictions, the Migrate now button. */
  plan?(ref: MigrationRef, outcome: PlanOutcome, file?: ReportFile): Promise<void>;
}

/**
 * An upload that trying again cannot fix (uploads disabled, the bot removed from the channel, a missing
 * scope): `why` says it in plain words for the people in the thread. Any other error is transient.
 */
export class ReportUndeliverable extends Error {
  constructor(
    readonly why: string,
    readonly code: string,
  ) {
    super(`report undeliverable: ${code}`);
    this.name = 'ReportUndeliverable';
  }
}

/** Where a report goes when its thread refuses it for good: the requester's DM. */
export interface ReportFallback {
  /** Uploads the CSV to the requester's DM, saying why it is there; throws as `uploadReport` does. */
  uploadToRequester(
    ref: MigrationRef,
    file: ReportFile,
    summary: MigrationSummary,
    why: string,
  ): Promise<void>;
  /** Tells the thread (or, if the thread refuses, the requester's DM) why and where the CSV is. */
  explain(ref: MigrationRef, text: string): Promise<void>;
}
