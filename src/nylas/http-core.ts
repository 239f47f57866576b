import type { z } from 'zod';
import { sleep as defaultSleep } from '../shared/sleep.js';
import { NylasError } from './errors.js';

export interface HttpCoreOptions {
  /** Base URL without a trailing slash requirement: `https://api.us.nylas.com`. */
  baseUrl: string;
  /** Per attempt, covering the whole response body. */
  timeoutMs?: number;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited out: the call fails and says so. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Observability hook; receives no headers, query strings or bodies, so it cannot leak secrets. */
  onEvent?: (event: HttpEvent) => void;
}

export type HttpEvent =
  | {
      type: 'response';
      method: string;
      path: string;
      status: number;
      attempt: number;
      durationMs: number;
      requestId?: string | undefined;
    }
  | { type: 'retry'; method: string; path: string; attempt: number; delayMs: number; reason: string }
  | { type: 'failure'; method: string; path: string; attempt: number; reason: string };

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  body?: unknown;
  /** Validates the parsed JSON answer; a mismatch is an `invalid_response` error, never a cast. */
  schema: z.ZodType<T>;
  /**
   * `idempotent`: any transient failure is retried. `unsafe`: only failures where the server surely did
   * not act (429, refused connection) are retried; ambiguous ones are handed back to the caller, who
   * must check before repeating (a second clone makes a second grant).
   */
  retry: 'idempotent' | 'unsafe';
  /** Awaited before every attempt — the shared rate budget of the Migration API. */
  gate?: (signal?: AbortSignal) => Promise<void>;
  /**
   * Called right after the gate, with no await before the request leaves: the last chance to decide not
   * to send (a run cancelled while this call waited for its turn). Throw to give the call up.
   */
  beforeSend?: () => void;
  signal?: AbortSignal;
}

export interface HttpResponse<T> {
  data: T;
  status: number;
  requestId: string | undefined;
}

export interface HttpCore {
  readonly baseUrl: string;
  request<T>(spec: RequestSpec<T>): Promise<HttpResponse<T>>;
}

const DEFAULTS = {
  timeoutMs: 15_000,
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 120_000,
};

/** Connection errors that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The one place Nylas HTTP happens: per-attempt timeout, bounded retries with exponential backoff and
 * jitter, Retry-After honoured, every answer validated by a schema, every failure a {@link NylasError}.
 */
export function createHttpCore(options: HttpCoreOptions): HttpCore {
  const settings = { ...DEFAULTS, ...definedOnly(options) };
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  const backoff = (attempt: number) => {
    const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + random() * (ceiling / 2); // "equal jitter": spread out, but never zero
  };

  async function attemptOnce<T>(spec: RequestSpec<T>, attempt: number): Promise<HttpResponse<T>> {
    const url = buildUrl(baseUrl, spec.path, spec.query);
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
    let body: string | undefined;
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    const started = performance.now();
    const fail = (
      details: Omit<ConstructorParameters<typeof NylasError>[0], 'attempts' | 'method' | 'path'>,
    ) => new NylasError({ ...details, attempts: attempt, method: spec.method, path: spec.path });

    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, { method: spec.method, headers, body, signal });
      text = await response.text();
    } catch (error) {
      if (spec.signal?.aborted) throw spec.signal.reason; // cancelled by the caller: not a Nylas failure
      if (timeout.aborted) {
        throw fail({
          kind: 'timeout',
          type: 'timeout',
          message: `no answer within ${settings.timeoutMs} ms`,
          retryable: true,
          ambiguous: true,
          cause: error,
        });
      }
      const code = networkCode(error);
      throw fail({
        kind: 'network',
        type: 'network_error',
        message: code ? `network error ${code}` : 'network error',
        retryable: true,
        ambiguous: !(code && NOT_SENT_CODES.has(code)),
        cause: error,
      });
    }

    const json = parseJson(text);
    const requestId = readRequestId(json) ?? response.headers.get('x-request-id') ?? undefined;
    options.onEvent?.({
      type: 'response',
      method: spec.method,
      path: spec.path,
      status: response.status,
      attempt,
      durationMs: Math.round(performance.now() - started),
      requestId,
    });

    if (!response.ok) {
      const described = describeErrorBody(json, text);
      const status = response.status;
      throw fail({
        kind: 'api',
        type: described.type ?? `http_${status}`,
        message: described.message ?? `HTTP ${status}`,
        status,
        requestId,
        providerError: described.providerError,
        retryable: status === 429 || status >= 500,
        ambiguous: status >= 500,
        retryAfterSeconds:
          status === 429
            ? rateLimitWait(response.headers)
            : parseRetryAfter(response.headers.get('retry-after')),
      });
    }

    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
      throw fail({
        kind: 'invalid_response',
        type: 'invalid_response',
        message: `unexpected answer from Nylas${where}: ${issue?.message ?? 'does not match the expected shape'}`,
        status: response.status,
        requestId,
        retryable: false,
        // Nylas said yes (2xx) and acted; only its answer is unreadable. A caller of an unsafe call must
        // look up what was created rather than assume nothing was.
        ambiguous: true,
      });
    }
    return { data: parsed.data, status: response.status, requestId };
  }

  async function request<T>(spec: RequestSpec<T>): Promise<HttpResponse<T>> {
    for (let attempt = 1; ; attempt++) {
      await spec.gate?.(spec.signal);
      spec.beforeSend?.();
      try {
        return await attemptOnce(spec, attempt);
      } catch (error) {
        if (!(error instanceof NylasError)) throw error;
        const safeToRepeat = spec.retry === 'idempotent' || !error.ambiguous;
        const retryAfterMs =
          error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000;
        const waitTooLong = retryAfterMs !== undefined && retryAfterMs > settings.maxRetryAfterMs;
        if (!error.retryable || !safeToRepeat || attempt >= settings.maxAttempts || waitTooLong) {
          options.onEvent?.({
            type: 'failure',
            method: spec.method,
            path: spec.path,
            attempt,
            reason: error.type,
          });
          throw error;
        }
        // Retry-After is the server's word; a little jitter keeps many waiters from returning at once.
        const delayMs = retryAfterMs === undefined ? backoff(attempt) : retryAfterMs + random() * 100;
        options.onEvent?.({
          type: 'retry',
          method: spec.method,
          path: spec.path,
          attempt,
          delayMs,
          reason: error.type,
        });
        await sleep(delayMs, spec.signal);
      }
    }
  }

  return { baseUrl, request };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function buildUrl(baseUrl: string, path: string, query: Query | undefined): string {
  const url = new URL(baseUrl + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // an HTML error page from a proxy, say: described from the status instead
  }
}

function readRequestId(json: unknown): string | undefined {
  if (json && typeof json === 'object' && 'request_id' in json && typeof json.request_id === 'string') {
    return json.request_id;
  }
  return undefined;
}

/** Reads both Nylas error shapes: v3 `{error: {type, message, provider_error}}` and v2 `{type, message}`. */
function describeErrorBody(json: unknown, text: string) {
  const record = (value: unknown) =>
    value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  const root = record(json);
  const inner = record(root?.error) ?? root;
  const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    type: str(inner?.type),
    message: str(inner?.message) ?? (root ? undefined : str(text.trim().slice(0, 200))),
    providerError: inner?.provider_error,
  };
}

/**
 * How long a 429 asks us to wait. v3 sends `Retry-After`; v2 sends `X-RateLimit-Reset`, documented as
 * the seconds until the window resets (relative). A value that can only be a Unix time (≥ 1e9 s, about
 * 31 years) is read as one, defensively, rather than waited out for decades.
 */
export function rateLimitWait(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  return parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
}

const EPOCH_SECONDS_FLOOR = 1e9;

export function parseRateLimitReset(header: string | null, now = Date.now()): number | undefined {
  if (header === null || !/^\d+(\.\d+)?$/.test(header.trim())) return undefined;
  const value = Number(header.trim());
  return value >= EPOCH_SECONDS_FLOOR ? Math.max(0, value - now / 1000) : value;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
