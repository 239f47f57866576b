import { z } from 'zod';
import type { Secret } from '../shared/secret.js';
import type { HttpCore } from './http-core.js';
import {
  type Branding,
  type Connector,
  connectorSchema,
  envelope,
  type Grant,
  grantSchema,
  type V3Application,
  type V3Environment,
  v3ApplicationSchema,
} from './schemas/v3.js';

export interface ApplicationPatch {
  branding?: Branding;
  environment?: V3Environment;
}

export interface GrantQuery {
  accountId?: string;
  accountIds?: readonly string[];
  limit?: number;
  offset?: number;
}

export interface V3Client {
  getApplication(signal?: AbortSignal): Promise<V3Application>;
  /** PATCH replaces nested objects whole: pass the complete `branding`. */
  updateApplication(patch: ApplicationPatch, signal?: AbortSignal): Promise<V3Application>;
  listConnectors(signal?: AbortSignal): Promise<Connector[]>;
  listGrants(
    query: GrantQuery,
    signal?: AbortSignal,
  ): Promise<{ grants: Grant[]; limit: number | undefined; offset: number | undefined }>;
  /** Every grant (across pages) migrated from any of these v2 account ids, batched to keep URLs short. */
  grantsForAccounts(accountIds: readonly string[], signal?: AbortSignal): Promise<Grant[]>;
}

/** The grants endpoint's largest page. */
const GRANTS_PAGE_LIMIT = 200;
/** v2 account ids are ~25 characters; 50 of them keep the query string around 1.3 KB. */
const ACCOUNT_IDS_PER_LOOKUP = 50;
const CONNECTORS_PAGE_LIMIT = 50;

/** Application-level v3 calls with the destination app's API key (Bearer). */
export function createV3Client(options: { http: HttpCore; apiKey: Secret }): V3Client {
  const { http } = options;
  const headers = () => ({ authorization: `Bearer ${options.apiKey.reveal()}` });

  const client: V3Client = {
    async getApplication(signal) {
      const response = await http.request({
        method: 'GET',
        path: '/v3/applications',
        headers: headers(),
        schema: envelope(v3ApplicationSchema),
        retry: 'idempotent',
        signal,
      });
      return response.data.data;
    },

    async updateApplication(patch, signal) {
      const response = await http.request({
        method: 'PATCH',
        path: '/v3/applications',
        headers: headers(),
        body: patch,
        // PATCH with the same body converges to the same state, so repeating it is safe.
        schema: z.object({ data: v3ApplicationSchema }),
        retry: 'idempotent',
        signal,
      });
      return response.data.data;
    },

    async listConnectors(signal) {
      const connectors: Connector[] = [];
      for (let offset = 0; ; offset += CONNECTORS_PAGE_LIMIT) {
        const response = await http.request({
          method: 'GET',
          path: '/v3/connectors',
          query: { limit: CONNECTORS_PAGE_LIMIT, offset },
          headers: headers(),
          schema: envelope(z.array(connectorSchema)),
          retry: 'idempotent',
          signal,
        });
        connectors.push(...response.data.data);
        if (response.data.data.length < CONNECTORS_PAGE_LIMIT) return connectors;
      }
    },

    async listGrants(query, signal) {
      const response = await http.request({
        method: 'GET',
        path: '/v3/grants',
        query: {
          account_id: query.accountId,
          account_ids: query.accountIds?.join(','),
          limit: query.limit,
          offset: query.offset,
        },
        headers: headers(),
        schema: envelope(z.array(grantSchema)),
        retry: 'idempotent',
        signal,
      });
      return { grants: response.data.data, limit: response.data.limit, offset: response.data.offset };
    },

    async grantsForAccounts(accountIds, signal) {
      const grants: Grant[] = [];
      for (let start = 0; start < accountIds.length; start += ACCOUNT_IDS_PER_LOOKUP) {
        const batch = accountIds.slice(start, start + ACCOUNT_IDS_PER_LOOKUP);
        for (let offset = 0; ; offset += GRANTS_PAGE_LIMIT) {
          const page = await client.listGrants(
            { accountIds: batch, limit: GRANTS_PAGE_LIMIT, offset },
            signal,
          );
          grants.push(...page.grants);
          if (page.grants.length < GRANTS_PAGE_LIMIT) break;
        }
      }
      return grants;
    },
  };
  return client;
}
