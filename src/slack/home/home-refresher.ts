import type { WebClient } from '@slack/web-api';
import type { AppsRegistry } from '../../config/apps-registry.js';
import type { RedisConnection } from '../../coordination/redis-connections.js';
import { logDropped } from '../../shared/best-effort.js';
import type { Logger } from '../../shared/logger.js';
import { createHomeState, type HomeViewer } from '../../store/home-state.js';
import type { MigrationRecords } from '../../store/migration-records.js';
import type { AdminVerifier } from '../admin-verifier.js';
import type { Permalinks } from '../permalinks.js';
import { loadRunsOverview } from '../runs-overview.js';
import { HOME_RUNS, homeRefusedView, homeView } from '../views/home-view.js';

/** Slack asks apps not to publish a user's Home often; one publish per admin per this long at most. */
export const DEFAULT_HOME_PUBLISH_WINDOW_MS = 5_000;
/** An admin who opened the Home tab is refreshed for this long (each opening starts it again). */
export const DEFAULT_HOME_VIEWER_TTL_MS = 60 * 60 * 1000;
/** A button's answer stays at the top of the Home tab this long. */
const NOTICE_KEEP_MS = 60_000;
/** Late by this much after a window ends, so the slot has surely expired in Redis. */
const SLOT_MARGIN_MS = 20;

export interface HomeRefresher {
  /** A run changed state: refresh the Home of every admin who opened it lately. Never throws, never waits. */
  changed(migrationId?: string): void;
  /** Someone opened the Home tab: remember them (admins are refreshed later) and publish now or soon. */
  opened(viewer: HomeViewer): Promise<void>;
  /** Shows a one-line answer at the top of this user's Home (a button's outcome), then refreshes it. */
  notify(viewer: HomeViewer, text: string): Promise<void>;
  /** Stops the timers of trailing refreshes (shutdown). */
  close(): void;
}

/**
 * Publishes the App Home (views.publish) and keeps it fresh for the admins looking at it, shared by every
 * bot and worker process through Redis: at most one publish per admin per window (a slot taken with SET
 * NX PX), and a refresh asked for while the slot is taken is never lost — it is marked pending in Redis,
 * and whoever's timer finds the slot free next publishes the then-current state (a trailing refresh).
 * The view is built at publish time from the records, so the last state is what is shown. Each publish
 * checks the user again: an admin who lost the role sees the explanation, not the runs.
 *
 * Everything here is best-effort: a failure is logged and never reaches a migration or a listener.
 */
export function createHomeRefresher(deps: {
  redis: RedisConnection;
  prefix: string;
  /** Sends views.publish; one that does not wait out 429s (the refresher waits them out itself). */
  client: Pick<WebClient, 'views'>;
  records: Pick<MigrationRecords, 'recent'>;
  registry: AppsRegistry;
  permalinks: Permalinks;
  verifier: Pick<AdminVerifier, 'verify'>;
  logger: Logger;
  publishWindowMs?: number;
  viewerTtlMs?: number;
}): HomeRefresher {
  const state = createHomeState(deps.redis, deps.prefix);
  const windowMs = deps.publishWindowMs ?? DEFAULT_HOME_PUBLISH_WINDOW_MS;
  const viewerTtlMs = deps.viewerTtlMs ?? DEFAULT_HOME_VIEWER_TTL_MS;
  const pendingKeepMs = Math.max(60_000, windowMs * 10);
  const timers = new Map<string, NodeJS.Timeout>();
  let closed = false;

  /** Checks again, after the slot or its timer is ours, and publishes. */
  function later(userId: string, delayMs: number): void {
    if (closed || timers.has(userId)) return;
    const timer = setTimeout(() => {
      timers.delete(userId);
      void (async () => {
        if (await state.isPending(userId)) await attempt(userId);
      })().catch(logDropped(deps.logger, 'warn', 'App Home: trailing refresh failed', { userId }));
    }, delayMs);
    timer.unref();
    timers.set(userId, timer);
  }

  async function attempt(userId: string): Promise<void> {
    if (!(await state.takeSlot(userId, windowMs))) {
      later(userId, (await state.slotFreeInMs(userId)) + SLOT_MARGIN_MS);
      return;
    }
    // Cleared before the records are read: a change from now on marks it again and gets its own refresh.
    await state.clearPending(userId);
    later(userId, windowMs + SLOT_MARGIN_MS);
    await publish(userId);
  }

  async function request(userId: string): Promise<void> {
    await state.markPending(userId, pendingKeepMs);
    await attempt(userId);
  }

  async function publish(userId: string): Promise<void> {
    const started = Date.now();
    const viewer = await state.viewer(userId);
    if (!viewer) return; // forgotten (expired) since it was asked for
    const verdict = await deps.verifier.verify(userId, {
      teamId: viewer.teamId,
      enterpriseId: viewer.enterpriseId,
      enterpriseInstall: viewer.enterpriseInstall,
    });
    if (!verdict.ok && verdict.code === 'lookup_failed') {
      // Not a "no": the current view stays, and the refresh is tried again after the window.
      deps.logger.warn('App Home not refreshed yet: the admin check is unavailable', { userId });
      await state.markPending(userId, pendingKeepMs);
      return;
    }
    const notice = await state.notice(userId);
    let view: ReturnType<typeof homeView>;
    if (verdict.ok) {
      view = homeView({
        registry: deps.registry,
        overview: await loadRunsOverview(deps, HOME_RUNS),
        notice,
      });
    } else {
      // No longer refreshed on changes; the explanation replaces whatever the tab showed.
      await state.forget(userId);
      view = homeRefusedView(verdict.reason, notice);
    }
    try {
      // The admin check and the records may have taken a while: the window counts from this publish.
      if (Date.now() - started > SLOT_MARGIN_MS) await state.restartSlot(userId, windowMs);
      await deps.client.views.publish({ user_id: userId, view });
    } catch (error) {
      const retryAfter = (error as { retryAfter?: number }).retryAfter;
      if (typeof retryAfter === 'number') {
        // Rate limited: the state is not lost, it is published when Slack lets us.
        await state.markPending(userId, pendingKeepMs);
        clearTimeout(timers.get(userId));
        timers.delete(userId);
        later(userId, retryAfter * 1000 + SLOT_MARGIN_MS);
        return;
      }
      // Slack unreachable or failing (not a refusal of this view): tried again after the window.
      if ((error as { code?: string }).code !== 'slack_webapi_platform_error')
        await state.markPending(userId, pendingKeepMs);
      throw error;
    }
  }

  const dropped = (what: string, fields: Record<string, unknown> = {}) =>
    logDropped(deps.logger, 'warn', `App Home: ${what}`, fields);

  return {
    changed(migrationId) {
      if (closed) return;
      void (async () => {
        const viewers = await state.viewers();
        await Promise.all(
          viewers.map((viewer) =>
            request(viewer.userId).catch(dropped('refresh failed', { userId: viewer.userId, migrationId })),
          ),
        );
      })().catch(dropped('refresh after a state change failed', { migrationId }));
    },

    async opened(viewer) {
      await state.remember(viewer, viewerTtlMs);
      await request(viewer.userId);
    },

    async notify(viewer, text) {
      await state.remember(viewer, viewerTtlMs);
      await state.setNotice(viewer.userId, text, NOTICE_KEEP_MS);
      await request(viewer.userId);
    },

    close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
