/**
 * HTTP vocabulary shared by the route modules: replies, the v2 and v3 error shapes, query parsing,
 * and the route table's types. Handlers return a {@link Reply}; `server.ts` writes it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { V2AppState, V3AppState } from './state.js';
import type { FaultMatch } from './types.js';

export interface Reply {
  status: number;
  /** For v3 routes an object; the server adds `request_id` first. For v2 routes written as is. */
  body: unknown;
  headers?: Record<string, string>;
}

/** v3 envelope with `data` (and e.g. `limit`/`offset`). */
export function ok(data: unknown, extra: Record<string, unknown> = {}): Reply {
  return { status: 200, body: { data, ...extra } };
}

/** v3 error shape: `{request_id, error: {type, message, provider_error?}}` (request_id added later). */
export function v3Error(
  status: number,
  type: string,
  message: string,
  providerError?: Record<string, unknown>,
): Reply {
  return {
    status,
    body: { error: { type, message, ...(providerError !== undefined && { provider_error: providerError }) } },
  };
}

/** v2's plain error shape: `{message, type}`. */
export function v2Error(status: number, type: string, message: string): Reply {
  return { status, body: { message, type } };
}

export type ErrorBuilder = (status: number, type: string, message: string) => Reply;

/** An integer query parameter, or a 400 reply in the caller's error shape. */
export function intQuery(
  url: URL,
  name: string,
  bounds: { default: number; min: number; max?: number },
  error: ErrorBuilder,
): number | Reply {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return bounds.default;
  if (!/^-?\d+$/.test(raw)) return error(400, 'invalid_request_error', `${name} must be an integer`);
  const value = Number(raw);
  if (value < bounds.min)
    return error(400, 'invalid_request_error', `${name} must be at least ${bounds.min}`);
  if (bounds.max !== undefined && value > bounds.max) {
    return error(400, 'invalid_request_error', `${name} must be at most ${bounds.max}`);
  }
  return value;
}

/** A "true"/"false" query parameter (case-insensitive), or a 400 v3 reply. */
export function boolQuery(url: URL, name: string, fallback: boolean): boolean | Reply {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return v3Error(400, 'invalid_request_error', `${name} must be true or false`);
}

/** A comma-separated list query parameter (repeated parameters are joined too). */
export function listQuery(url: URL, name: string): string[] {
  return url.searchParams
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

interface BaseContext {
  url: URL;
  params: Readonly<Record<string, string>>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
}

export interface V2Context extends BaseContext {
  app: V2AppState;
}

export interface V3Context extends BaseContext {
  app: V3AppState;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type Route =
  | {
      surface: 'v2';
      method: Method;
      /** e.g. `/a/:client_id/accounts`; `:name` segments become params. */
      template: string;
      fault: FaultMatch | undefined;
      handle(ctx: V2Context): Reply;
    }
  | {
      surface: 'v3';
      method: Method;
      template: string;
      /** Which per-app limit the route counts against. */
      rateClass: 'migration' | 'v3';
      fault: FaultMatch | undefined;
      handle(ctx: V3Context): Reply;
    };

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; template: string }
  | { kind: 'not_found' };

/** Matches a path against the table; a path whose template exists under another method is a 405. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const segments = pathname.split('/');
  let otherMethod: string | undefined;
  for (const route of routes) {
    const parts = route.template.split('/');
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < parts.length && matched; i++) {
      const part = parts[i] ?? '';
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) {
        if (segment === '') matched = false;
        else params[part.slice(1)] = safeDecode(segment);
      } else if (part !== segment) matched = false;
    }
    if (!matched) continue;
    if (route.method === method) return { kind: 'found', route, params };
    otherMethod = route.template;
  }
  return otherMethod === undefined
    ? { kind: 'not_found' }
    : { kind: 'method_not_allowed', template: otherMethod };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape is kept verbatim: it then simply names no account.
    return segment;
  }
}
