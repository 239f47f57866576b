import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKER_PROCESS_ENV, type WorkerProcessConfig } from '../../testkit/worker-process/config.js';

const WORKER_ENTRY = fileURLToPath(new URL('../../testkit/worker-process/main.ts', import.meta.url));

/** Starts a worker in a real child process and resolves once it takes jobs. */
export async function spawnWorker(
  config: WorkerProcessConfig,
): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
    env: { ...process.env, [WORKER_PROCESS_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes('ready')) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`worker child exited early (${code}): ${output}`));
    });
  });
  return { child, output: () => output, exited };
}
