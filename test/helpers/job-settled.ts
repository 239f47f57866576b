import type { Queue } from 'bullmq';

/**
 * Waits until BullMQ itself has finished with the job (`completed` or `failed`, or gone).
 *
 * A migration's record turns `completed` inside the job, before the worker releases the apps and
 * BullMQ moves the job out of `active`: a test that reads job counts, or reserves the same apps again,
 * right after the record says "done" would race the worker. Waiting for the job's own state closes it.
 */
export async function waitForJobSettled(
  queue: Pick<Queue, 'getJobState'>,
  jobId: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await queue.getJobState(jobId);
    if (state === 'completed' || state === 'failed' || state === 'unknown') return;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
