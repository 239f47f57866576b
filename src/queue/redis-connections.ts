import { Redis } from 'ioredis';

/**
 * For BullMQ workers and the run's own writes: commands wait for Redis to come back rather than fail,
 * as BullMQ requires (`maxRetriesPerRequest: null`). A command whose answer was lost in a disconnect is
 * NOT sent again: our fenced scripts (append a page, count results) are not idempotent, so a lost
 * answer fails the job's attempt instead, and the retry resumes from what Redis really holds.
 */
export function createWorkerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    autoResendUnfulfilledCommands: false,
  });
}

/**
 * For the web-facing bot: fail fast, so a Redis outage becomes a clear Slack message instead of an
 * `ack` that hangs past Slack's 3 seconds.
 */
export function createFailFastConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    commandTimeout: 1_500,
  });
}
