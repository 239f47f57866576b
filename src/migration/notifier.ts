import type { ConnectorStatus } from './checklist.js';
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
}
