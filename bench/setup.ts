/**
 * Shared wiring of the benchmarks: Redis under a unique prefix, child processes that talk over IPC,
 * the table row every scenario returns, and the production-like timings the clone runs use.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { HttpSettings } from '../src/nylas/client-factory.js';
import type { WorkerProcessMessage } from '../testkit/worker-process/config.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Production-like HTTP and lease timings (the lease must outlive the HTTP timeout). */
export const BENCH_HTTP: HttpSettings = { timeoutMs: 10_000 };
export const BENCH_LEASE_TTL_MS = 20_000;

/** A unique key prefix per scenario, so runs never see each other's keys (nor the tests'). */
export function benchPrefix(label: string): string {
  return `bench-${label}-${randomUUID().slice(0, 8)}`;
}

export function benchRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: null });
}

export { deleteKeysUnder as deletePrefix } from '../src/store/delete-prefix.js';

export type { WorkerProcessConfig } from '../testkit/worker-process/config.js';

/** What `bench/report-process.ts` reads from `BENCH_REPORT_CONFIG`. */
export interface ReportProcessConfig {
  redisUrl: string;
  prefix: string;
  migrationId: string;
  path: string;
}

export type ChildMessage =
  | WorkerProcessMessage
  | {
      type: 'report-stats';
      rows: number;
      ms: number;
      bytes: number;
      cpuMs: number;
      /** The process's high-water RSS before the report started (node + tsx + ioredis). */
      maxRssKbBefore: number;
      maxRssKb: number;
    };

/** The one worker entry that tests and benchmarks share. */
export const WORKER_ENTRY = fileURLToPath(new URL('../testkit/worker-process/main.ts', import.meta.url));
export const REPORT_ENTRY = fileURLToPath(new URL('./report-process.ts', import.meta.url));

export interface IpcChild {
  child: ChildProcess;
  /** Resolves with the first message (already received or future) of that type. */
  next<T extends ChildMessage['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<ChildMessage, { type: T }>>;
  send(message: { type: 'stop' }): void;
  exited: Promise<number | null>;
  output(): string;
}

/** Runs `file` with tsx in a child process with an IPC channel; `env` carries its configuration. */
export function spawnIpcChild(file: string, env: Record<string, string>, nodeArgs: string[] = []): IpcChild {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const received: ChildMessage[] = [];
  const waiters = new Set<() => void>();
  child.on('message', (message) => {
    received.push(message as ChildMessage);
    for (const wake of waiters) wake();
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      for (const wake of waiters) wake();
      resolve(code);
    }),
  );

  function next<T extends ChildMessage['type']>(
    type: T,
    timeoutMs = 60_000,
  ): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`child ${child.pid}: no "${type}" message within ${timeoutMs} ms\n${output}`));
      }, timeoutMs);
      const check = () => {
        const error = received.find((m) => m.type === 'error');
        const found = received.find((m) => m.type === type);
        if (found || error || exitCode !== undefined) {
          clearTimeout(timer);
          waiters.delete(check);
          if (found) resolve(found as Extract<ChildMessage, { type: T }>);
          else if (error?.type === 'error') reject(new Error(`child ${child.pid}: ${error.message}`));
          else reject(new Error(`child ${child.pid} exited (${exitCode}) before "${type}"\n${output}`));
        }
      };
      waiters.add(check);
      check();
    });
  }

  return {
    child,
    next,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    exited,
    output: () => output,
  };
}

/** One line of the table; `undefined` cells print as "—". */
export interface BenchRow {
  scenario: string;
  accounts: number;
  workers?: number | undefined;
  wallS?: number | undefined;
  /** From the simulator's clone-call arrivals. */
  cloneRate?: number | undefined;
  /** The runs' own `summary.cloneRate` (summed over apps). */
  runCloneRate?: number | undefined;
  rateOfLimit?: number | undefined;
  maxInAnySecond?: number | undefined;
  rateLimited?: number | undefined;
  duplicates?: number | undefined;
  cpuMsPerAccount?: number | undefined;
  peakRssMb?: number | undefined;
  notes?: string | undefined;
}

export interface BenchCheck {
  pass: boolean;
  text: string;
}

export interface ScenarioResult {
  rows: BenchRow[];
  checks: BenchCheck[];
}

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const kbToMb = (kb: number): number => round(kb / 1024, 1);
