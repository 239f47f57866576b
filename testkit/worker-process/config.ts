/**
 * What the worker child process (testkit/worker-process/main.ts) reads from `WORKER_PROCESS_CONFIG`, and
 * the messages it sends back. Types only: importing this file starts nothing.
 */
import type { RunSettings } from '../../src/migration/ports.js';
import type { HttpSettings } from '../../src/nylas/client-factory.js';

export const WORKER_PROCESS_ENV = 'WORKER_PROCESS_CONFIG';

export interface WorkerProcessConfig {
  redisUrl: string;
  prefix: string;
  registryYaml: string;
  hosts: Record<'us' | 'eu', { v2: string; v3: string }>;
  reportDir: string;
  ratePerSecond: number;
  http: HttpSettings;
  leaseTtlMs: number;
  lockDurationMs?: number | undefined;
  stalledIntervalMs?: number | undefined;
  drainTimeoutMs?: number | undefined;
  /** Migrations one process runs at once (production default 4). */
  concurrency?: number | undefined;
  settings: Partial<RunSettings>;
  /** Prefix of the worker id (the pid is appended). */
  label: string;
}

/** Sent over IPC when the parent opened a channel (benchmarks); tests read "ready"/"exited" on stdout. */
export type WorkerProcessMessage =
  | { type: 'ready' }
  | {
      type: 'worker-stats';
      /** CPU (user + system) spent between "ready" and the end of the graceful stop. */
      cpuMs: number;
      /** CPU since the process started (includes loading TypeScript through tsx). */
      cpuMsTotal: number;
      maxRssKb: number;
      jobs: number;
    }
  | { type: 'error'; message: string };
