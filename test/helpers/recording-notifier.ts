import { readFile } from 'node:fs/promises';
import type { MigrationEvent, MigrationRef, Notifier, ReportFile } from '../../src/migration/notifier.js';
import type { ProgressPayload } from '../../src/migration/progress.js';
import type { MigrationSummary } from '../../src/migration/summary.js';

export interface RecordedReport {
  ref: MigrationRef;
  file: ReportFile;
  csv: string;
  summary: MigrationSummary;
}

/** A Notifier that records everything, and can be told to fail, for tests of the worker. */
export function createRecordingNotifier() {
  const events: Array<{ migrationId: string; event: MigrationEvent }> = [];
  const progress: Array<{ migrationId: string; progress: ProgressPayload }> = [];
  const reports: RecordedReport[] = [];
  let failUploads = 0;
  let failEvents = 0;

  const notifier: Notifier = {
    async event(ref, event) {
      if (failEvents > 0) {
        failEvents--;
        throw new Error('notifier down');
      }
      events.push({ migrationId: ref.migrationId, event });
    },
    async progress(ref, payload) {
      progress.push({ migrationId: ref.migrationId, progress: payload });
    },
    async uploadReport(ref, file, summary) {
      if (failUploads > 0) {
        failUploads--;
        throw new Error('upload failed');
      }
      reports.push({ ref, file, csv: await readFile(file.path, 'utf8'), summary });
    },
  };

  return {
    notifier,
    events,
    progress,
    reports,
    eventsOf: (migrationId: string) =>
      events.filter((e) => e.migrationId === migrationId).map((e) => e.event),
    reportOf: (migrationId: string) => reports.find((r) => r.ref.migrationId === migrationId),
    reportsOf: (migrationId: string) => reports.filter((r) => r.ref.migrationId === migrationId),
    failNextUploads(times: number) {
      failUploads = times;
    },
    failNextEvents(times: number) {
      failEvents = times;
    },
  };
}
