/**
 * v3 routes outside the migration tools: the application, its connectors and its grants. Auth
 * (Bearer API key → the v3 app) and the 50 req/s limit are applied by the server first.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { intQuery, listQuery, ok, type Reply, type Route, v3Error } from './http.js';
import type { SimState, V3AppState } from './state.js';
import type { SimCallbackUri, SimGrant } from './types.js';

/** v3's page-size ceiling for grants and connectors. */
export const V3_MAX_LIMIT = 200;

const brandingSchema = z.object({
  name: z.string().optional(),
  icon_url: z.string().optional(),
  website_url: z.string().optional(),
  description: z.string().optional(),
});

const callbackUriSchema = z.object({
  id: z.string().optional(),
  url: z.string().min(1),
  platform: z.enum(['web', 'desktop', 'js', 'ios', 'android']).default('web'),
  settings: z.record(z.string(), z.string()).optional(),
});

/**
 * `PATCH /v3/applications` body (an ApplicationObject). Read-only fields (ids, region,
 * v2_application_id) are accepted and ignored, as Nylas ignores them.
 */
const patchSchema = z.object({
  environment: z.enum(['production', 'staging']).optional(),
  branding: brandingSchema.optional(),
  hosted_authentication: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  callback_uris: z.array(callbackUriSchema).optional(),
});

export function v3Routes(state: SimState): Route[] {
  return [
    {
      surface: 'v3',
      method: 'GET',
      template: '/v3/applications',
      rateClass: 'v3',
      fault: 'application',
      handle: ({ app }) => ok(applicationAnswer(state, app)),
    },
    {
      surface: 'v3',
      method: 'PATCH',
      template: '/v3/applications',
      rateClass: 'v3',
      fault: 'application',
      handle: ({ app, body }) => {
        const parsed = patchSchema.safeParse(body ?? {});
        if (!parsed.success) {
          return v3Error(
            400,
            'invalid_request_error',
            `invalid application: ${z.prettifyError(parsed.error)}`,
          );
        }
        const patch = parsed.data;
        // Nested objects are replaced whole: a branding without icon_url erases the stored one.
        if (patch.environment !== undefined) app.environment = patch.environment;
        if (patch.branding !== undefined) app.branding = dropUndefined(patch.branding);
        if (patch.hosted_authentication !== undefined) app.hostedAuthentication = patch.hosted_authentication;
        if (patch.callback_uris !== undefined) {
          app.callbackUris = patch.callback_uris.map(
            (uri): SimCallbackUri => ({
              id: uri.id ?? randomUUID(),
              url: uri.url,
              platform: uri.platform,
              ...(uri.settings !== undefined && { settings: uri.settings }),
            }),
          );
        }
        // The spec's 200 schema for PATCH is {success, data}; request_id is added like everywhere.
        return { status: 200, body: { success: true, data: applicationAnswer(state, app) } };
      },
    },
    {
      surface: 'v3',
      method: 'GET',
      template: '/v3/connectors',
      rateClass: 'v3',
      fault: undefined,
      handle: ({ app, url }) => {
        const page = pageOf(url);
        if ('status' in page) return page;
        const data = app.connectors.slice(page.offset, page.offset + page.limit).map((c) => ({
          name: c.name,
          provider: c.provider,
          settings: { ...c.settings },
          scope: [...c.scope],
        }));
        return ok(data, { limit: page.limit, offset: page.offset });
      },
    },
    {
      surface: 'v3',
      method: 'GET',
      template: '/v3/grants',
      rateClass: 'v3',
      fault: 'grants',
      handle: ({ app, url }) => {
        const page = pageOf(url);
        if ('status' in page) return page;
        const order = url.searchParams.get('order_by') ?? 'desc';
        if (order !== 'asc' && order !== 'desc') {
          return v3Error(400, 'invalid_request_error', 'order_by must be asc or desc');
        }
        const matching = filterGrants(app, url, state.readings.accountIdsList);
        const sorted = order === 'asc' ? matching : [...matching].reverse();
        return ok(sorted.slice(page.offset, page.offset + page.limit), {
          limit: page.limit,
          offset: page.offset,
        });
      },
    },
  ];
}

/** The ApplicationObject, with absent optional fields sent as `null` under that reading. */
function applicationAnswer(state: SimState, app: V3AppState): unknown {
  const application = state.applicationObject(app);
  if (state.readings.absentFields === 'omitted') return application;
  const { name, icon_url, website_url, description } = application.branding;
  return {
    ...application,
    v2_application_id: application.v2_application_id ?? null,
    hosted_authentication: application.hosted_authentication ?? null,
    branding: {
      name: name ?? null,
      icon_url: icon_url ?? null,
      website_url: website_url ?? null,
      description: description ?? null,
    },
  };
}

function pageOf(url: URL): { limit: number; offset: number } | Reply {
  const limit = intQuery(url, 'limit', { default: 10, min: 1, max: V3_MAX_LIMIT }, v3Error);
  if (typeof limit !== 'number') return limit;
  const offset = intQuery(url, 'offset', { default: 0, min: 0 }, v3Error);
  if (typeof offset !== 'number') return offset;
  return { limit, offset };
}

/** Grants in creation order, narrowed by the spec's filters this simulator supports. */
function filterGrants(app: V3AppState, url: URL, idsList: 'comma' | 'repeated'): readonly SimGrant[] {
  // `repeated`: each parameter value is one id, commas included (the other reading of account_ids).
  const read = (name: string) =>
    idsList === 'comma' ? listQuery(url, name) : url.searchParams.getAll(name).filter((v) => v !== '');
  const ids = [...read('account_id'), ...read('account_ids')];
  let grants: readonly SimGrant[] = app.grants;
  if (ids.length > 0) {
    const positions = [...new Set(ids)].flatMap((id) => app.grantsByAccount.get(id) ?? []);
    // Positions in creation order, so a multi-account answer keeps the order of the full list.
    positions.sort((a, b) => a - b);
    grants = positions.flatMap((position) => app.grants[position] ?? []);
  }
  const provider = url.searchParams.get('provider');
  const status = url.searchParams.get('grant_status');
  const email = url.searchParams.get('email');
  if (provider === null && status === null && email === null) return grants;
  return grants.filter(
    (grant) =>
      (provider === null || grant.provider === provider) &&
      (status === null || grant.grant_status === status) &&
      (email === null || grant.email.toLowerCase() === email.toLowerCase()),
  );
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T; // same keys minus undefined ones
}
