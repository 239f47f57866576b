import type { RedisConnection } from '../coordination/redis-connections.js';

/** A verified admin who opened the Home tab, and where the request came from (to check them again). */
export interface HomeViewer {
  userId: string;
  teamId: string | undefined;
  enterpriseId?: string | undefined;
  enterpriseInstall?: boolean | undefined;
}

interface StoredViewer extends HomeViewer {
  /** Epoch ms after which the viewer is forgotten. */
  until: number;
}

/**
 * What the App Home needs to keep in Redis, shared by every bot and worker process: who opened the Home
 * tab lately (refreshed for them only), a per-admin publish throttle, a "needs a refresh" flag that
 * survives the throttle window, and a one-line notice to show at the top (the answer to a button).
 */
export function createHomeState(redis: RedisConnection, prefix: string) {
  const viewersKey = `${prefix}:home:viewers`;
  const throttleKey = (userId: string) => `${prefix}:home:throttle:${userId}`;
  const pendingKey = (userId: string) => `${prefix}:home:pending:${userId}`;
  const noticeKey = (userId: string) => `${prefix}:home:notice:${userId}`;

  return {
    /** Remembers an admin who opened the Home tab, for `ttlMs`. */
    async remember(viewer: HomeViewer, ttlMs: number, now = Date.now()): Promise<void> {
      const stored: StoredViewer = { ...viewer, until: now + ttlMs };
      await redis
        .multi()
        .hset(viewersKey, viewer.userId, JSON.stringify(stored))
        .pexpire(viewersKey, ttlMs)
        .exec();
    },

    async forget(userId: string): Promise<void> {
      await redis.hdel(viewersKey, userId);
    },

    /** The admins whose Home tab is refreshed; expired ones are dropped on the way. */
    async viewers(now = Date.now()): Promise<HomeViewer[]> {
      const all = await redis.hgetall(viewersKey);
      const live: HomeViewer[] = [];
      const expired: string[] = [];
      for (const [userId, text] of Object.entries(all)) {
        const stored = parseViewer(text);
        if (stored && stored.until > now) {
          const { until: _until, ...viewer } = stored;
          live.push(viewer);
        } else expired.push(userId);
      }
      if (expired.length > 0) await redis.hdel(viewersKey, ...expired);
      return live;
    },

    async viewer(userId: string, now = Date.now()): Promise<HomeViewer | undefined> {
      const stored = parseViewer(await redis.hget(viewersKey, userId));
      if (!stored || stored.until <= now) return undefined;
      const { until: _until, ...viewer } = stored;
      return viewer;
    },

    /** Takes this admin's publish slot for `windowMs`; false when another publish holds it. */
    async takeSlot(userId: string, windowMs: number): Promise<boolean> {
      return (await redis.set(throttleKey(userId), '1', 'PX', windowMs, 'NX')) === 'OK';
    },

    /**
     * Starts the held slot's window again from now: taken before the view is built, it is counted from
     * the publish itself, so a slow build never brings two publishes closer than the window.
     */
    async restartSlot(userId: string, windowMs: number): Promise<void> {
      await redis.set(throttleKey(userId), '1', 'PX', windowMs, 'XX');
    },

    /** How long until the slot is free again (0 when it is). */
    async slotFreeInMs(userId: string): Promise<number> {
      return Math.max(0, await redis.pttl(throttleKey(userId)));
    },

    /** Marks the admin's Home as out of date (kept a while: whoever gets the next slot refreshes it). */
    async markPending(userId: string, keepMs: number): Promise<void> {
      await redis.set(pendingKey(userId), '1', 'PX', keepMs);
    },

    /** Clears the mark; true when it was set. Cleared before reading the records, so a change after it marks again. */
    async clearPending(userId: string): Promise<boolean> {
      return (await redis.del(pendingKey(userId))) === 1;
    },

    async isPending(userId: string): Promise<boolean> {
      return (await redis.exists(pendingKey(userId))) === 1;
    },

    async setNotice(userId: string, text: string, keepMs: number): Promise<void> {
      await redis.set(noticeKey(userId), text, 'PX', keepMs);
    },

    async notice(userId: string): Promise<string | undefined> {
      return (await redis.get(noticeKey(userId))) ?? undefined;
    },
  };
}

export type HomeState = ReturnType<typeof createHomeState>;

function parseViewer(text: string | null | undefined): StoredViewer | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<StoredViewer>;
    return typeof value.userId === 'string' && typeof value.until === 'number'
      ? (value as StoredViewer)
      : undefined;
  } catch {
    return undefined;
  }
}
