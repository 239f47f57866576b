import type { Secret } from '../shared/secret.js';
import type { HttpCore } from './http-core.js';
import {
  type V2Account,
  type V2Application,
  type V2Webhook,
  v2AccountPageSchema,
  v2ApplicationSchema,
  v2WebhookListSchema,
} from './schemas/v2.js';

export interface V2AccountPage {
  /** Offset of the first account of this page in the v2 listing. */
  offset: number;
  accounts: V2Account[];
  /** True when this was the last page (shorter than the page size). */
  last: boolean;
}

export interface V2Client {
  getApplication(signal?: AbortSignal): Promise<V2Application>;
  /** Pages through every account from `startOffset`, so a resumed run continues where it stopped. */
  accountPages(options?: {
    pageSize?: number;
    startOffset?: number;
    signal?: AbortSignal;
  }): AsyncGenerator<V2AccountPage>;
  accounts(options?: { pageSize?: number; signal?: AbortSignal }): AsyncGenerator<V2Account>;
  /** The app's v2 webhooks (read by a plan, to say what to recreate on v3). */
  listWebhooks(signal?: AbortSignal): Promise<V2Webhook[]>;
}

/** The v2 page size the old Nylas SDK used. */
export const V2_PAGE_SIZE = 100;

/**
 * Application-level v2 calls. v2 authenticates with HTTP Basic: the client SECRET as user name and an
 * empty password (not id:secret — that form is the Migration API's BasicV2 header).
 */
export function createV2Client(options: {
  http: HttpCore;
  clientId: string;
  clientSecret: Secret;
}): V2Client {
  const { http, clientId } = options;
  const authorization = () => `Basic ${Buffer.from(`${options.clientSecret.reveal()}:`).toString('base64')}`;
  const base = `/a/${encodeURIComponent(clientId)}`;

  return {
    async getApplication(signal) {
      const response = await http.request({
        method: 'GET',
        path: base,
        headers: { authorization: authorization() },
        schema: v2ApplicationSchema,
        retry: 'idempotent',
        signal,
      });
      return response.data;
    },

    async *accountPages({ pageSize = V2_PAGE_SIZE, startOffset = 0, signal } = {}) {
      for (let offset = startOffset; ; offset += pageSize) {
        const response = await http.request({
          method: 'GET',
          path: `${base}/accounts`,
          query: { offset, limit: pageSize },
          headers: { authorization: authorization() },
          schema: v2AccountPageSchema,
          retry: 'idempotent',
          signal,
        });
        const last = response.data.length < pageSize;
        yield { offset, accounts: response.data, last };
        if (last) return;
      }
    },

    async listWebhooks(signal) {
      const response = await http.request({
        method: 'GET',
        path: `${base}/webhooks`,
        headers: { authorization: authorization() },
        schema: v2WebhookListSchema,
        retry: 'idempotent',
        signal,
      });
      return response.data;
    },

    async *accounts({ pageSize, signal } = {}) {
      for await (const page of this.accountPages({ pageSize, signal })) yield* page.accounts;
    },
  };
}
