/**
 * v2 application-level routes. Auth (HTTP Basic, username = the client secret) is checked by the
 * server before these run; answers use v2's plain shapes (bare arrays, `{message, type}` errors).
 */
import { intQuery, type Route, v2Error } from './http.js';
import { seededWebhooks } from './webhooks.js';

/** v2's page-size ceiling for account listing. */
export const V2_MAX_LIMIT = 1000;

export function v2Routes(): Route[] {
  return [
    {
      surface: 'v2',
      method: 'GET',
      template: '/a/:client_id',
      fault: 'v2-app',
      handle: ({ app }) => ({
        status: 200,
        body: { application_name: app.name, icon_url: app.iconUrl, redirect_uris: [...app.redirectUris] },
      }),
    },
    {
      surface: 'v2',
      method: 'GET',
      template: '/a/:client_id/accounts',
      fault: 'v2-accounts',
      handle: ({ app, url }) => {
        const offset = intQuery(url, 'offset', { default: 0, min: 0 }, v2Error);
        if (typeof offset !== 'number') return offset;
        const limit = intQuery(url, 'limit', { default: 100, min: 1, max: V2_MAX_LIMIT }, v2Error);
        if (typeof limit !== 'number') return limit;
        return { status: 200, body: app.dataset.accounts.slice(offset, offset + limit) };
      },
    },
    {
      surface: 'v2',
      method: 'GET',
      template: '/a/:client_id/webhooks',
      fault: 'v2-app',
      handle: ({ app }) => ({ status: 200, body: seededWebhooks(app.clientId) }),
    },
  ];
}
