import { z } from 'zod';
import type { Secret } from '../shared/secret.js';
import type { HttpCore } from './http-core.js';
import {
  envelope,
  type Grant,
  grantSchema,
  importResultSchema,
  type MigrationJob,
  migrationJobSchema,
  type V3Application,
  v3ApplicationSchema,
} from './schemas/v3.js';

/** The two query booleans of the clone calls (both default to true at Nylas). */
export interface CloneFlags {
  /** Create an invalid "placeholder" grant when an account can't be migrated (not for Microsoft). */
  allowInvalidGrantCreation: boolean;
  /** The same, for Microsoft accounts (Exchange / personal accounts). */
  cloneExchange: boolean;
}

export type BatchCloneMode = 'all' | 'only_new' | 'only_failed';

export interface BatchCloneRequest {
  limit?: number;
  offset?: number;
  providers?: string[];
  mode?: BatchCloneMode;
}

export interface JobsFilter {
  status?: string[];
  type?: string[];
  sortByCompletion?: boolean;
}

export interface MigrationClient {
  linkApps(v2AppId: string, v2ClientSecret: Secret, signal?: AbortSignal): Promise<V3Application>;
  importV2App(signal?: AbortSignal): Promise<unknown>;
  /**
   * Clones one v2 account into a v3 grant. Not idempotent (a second call makes a second grant), so an
   * ambiguous failure (timeout, 5xx) is handed back for the caller to check before any retry.
   */
  cloneAccount(
    accountId: string,
    flags: CloneFlags,
    signal?: AbortSignal,
    options?: { beforeSend?: () => void },
  ): Promise<Grant>;
  snapshotBatchClone(
    request: BatchCloneRequest,
    flags: CloneFlags,
    signal?: AbortSignal,
  ): Promise<{ snapshot_job?: MigrationJob | undefined; clone_job?: MigrationJob | undefined }>;
  listJobs(filter?: JobsFilter, signal?: AbortSignal): Promise<MigrationJob[]>;
}

/**
 * The Migration API (v3 host, destination app's API key, 20 requests/s per app). Every attempt —
 * retries included — first passes `gate`, the budget shared by all workers for this v3 app.
 */
export function createMigrationClient(options: {
  http: HttpCore;
  apiKey: Secret;
  gate?: (signal?: AbortSignal) => Promise<void>;
}): MigrationClient {
  const { http, gate } = options;
  const headers = () => ({ authorization: `Bearer ${options.apiKey.reveal()}` });
  const flagsQuery = (flags: CloneFlags) => ({
    allow_invalid_grant_creation: flags.allowInvalidGrantCreation,
    clone_exchange: flags.cloneExchange,
  });

  return {
    async linkApps(v2AppId, v2ClientSecret, signal) {
      const basicV2 = Buffer.from(`${v2AppId}:${v2ClientSecret.reveal()}`).toString('base64');
      const response = await http.request({
        method: 'POST',
        path: '/v3/migration-tools/link-v2v3-apps',
        headers: { ...headers(), BasicV2: basicV2 },
        schema: envelope(v3ApplicationSchema),
        // Linking the same pair again succeeds, so repeating after an ambiguous failure is harmless.
        retry: 'idempotent',
        gate,
        signal,
      });
      return response.data.data;
    },

    async importV2App(signal) {
      const response = await http.request({
        method: 'POST',
        path: '/v3/migration-tools/import-v2-app',
        headers: headers(),
        schema: envelope(importResultSchema),
        retry: 'idempotent', // it copies settings over: doing it twice gives the same result
        gate,
        signal,
      });
      return response.data.data;
    },

    async cloneAccount(accountId, flags, signal, options) {
      const response = await http.request({
        method: 'POST',
        path: `/v3/migration-tools/grants/${encodeURIComponent(accountId)}/clone`,
        query: flagsQuery(flags),
        headers: headers(),
        schema: envelope(grantSchema),
        retry: 'unsafe',
        beforeSend: options?.beforeSend,
        gate,
        signal,
      });
      return response.data.data;
    },

    async snapshotBatchClone(request, flags, signal) {
      const response = await http.request({
        method: 'POST',
        path: '/v3/migration-tools/snapshot-batch-clone',
        query: flagsQuery(flags),
        headers: headers(),
        body: request,
        schema: envelope(
          z.object({ snapshot_job: migrationJobSchema.optional(), clone_job: migrationJobSchema.optional() }),
        ),
        retry: 'unsafe',
        gate,
        signal,
      });
      return response.data.data;
    },

    async listJobs(filter = {}, signal) {
      const response = await http.request({
        method: 'GET',
        path: '/v3/migration-tools/jobs',
        query: {
          status: filter.status?.join(','),
          type: filter.type?.join(','),
          sort_by_completion: filter.sortByCompletion,
        },
        headers: headers(),
        schema: envelope(z.array(migrationJobSchema)),
        retry: 'idempotent',
        gate,
        signal,
      });
      return response.data.data;
    },
  };
}
