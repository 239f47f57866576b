import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NylasError } from '../../src/nylas/errors.js';
import { createHttpCore, type HttpEvent, parseRetryAfter, rateLimitWait } from '../../src/nylas/http-core.js';
import { type ScriptedAnswer, startScriptedServer } from '../helpers/scripted-server.js';

const ok = (data: unknown): ScriptedAnswer => ({ status: 200, body: { request_id: 'req-ok', data } });
const schema = z.object({ data: z.object({ n: z.number() }) });

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(script: ScriptedAnswer[], options: Partial<Parameters<typeof createHttpCore>[0]> = {}) {
  const server = await startScriptedServer(script);
  close = server.close;
  const sleeps: number[] = [];
  const events: HttpEvent[] = [];
  const http = createHttpCore({
    baseUrl: server.url,
    timeoutMs: 300,
    maxAttempts: 4,
    baseDelayMs: 10,
    maxDelayMs: 40,
    // Record the waits the core asks for, and wait a token amount so tests stay fast.
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { server, http, sleeps, events };
}

async function failure(promise: Promise<unknown>): Promise<NylasError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NylasError);
  return error as NylasError;
}

describe('HTTP core', () => {
  it('sends JSON, the query and headers, and validates the answer', async () => {
    const { server, http } = await setup([ok({ n: 7 })]);
    const response = await http.request({
      method: 'POST',
      path: '/v3/x',
      query: { a: 1, b: true, skip: undefined },
      headers: { authorization: 'Bearer k' },
      body: { hello: 'world' },
      schema,
      retry: 'idempotent',
    });
    expect(response.data.data.n).toBe(7);
    expect(response.requestId).toBe('req-ok');
    expect(server.requests[0]?.url).toBe('/v3/x?a=1&b=true');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer k');
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ hello: 'world' });
  });

  it('waits out a 429 for exactly its Retry-After, then succeeds', async () => {
    const { server, http, sleeps } = await setup(
      [
        {
          status: 429,
          headers: { 'retry-after': '2' },
          body: {
            request_id: 'r1',
            error: { type: 'nylas_rate_limit_exceeded', message: 'Too many requests' },
          },
        },
        ok({ n: 1 }),
      ],
      { random: () => 0 },
    );
    const response = await http.request({ method: 'POST', path: '/c', schema, retry: 'unsafe' });
    expect(response.data.data.n).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([2000]);
  });

  it('waits out a v2 429 for its X-RateLimit-Reset, read as seconds from now', async () => {
    const v2Limited: ScriptedAnswer = {
      status: 429,
      headers: { 'x-ratelimit-limit': '500', 'x-ratelimit-reset': '3' },
      body: { message: 'Too many requests', type: 'rate_limit_error' },
    };
    const { server, http, sleeps } = await setup([v2Limited, ok({ n: 1 })], { random: () => 0 });
    await http.request({ method: 'GET', path: '/a/app/accounts', schema, retry: 'idempotent' });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
  });

  it('reads an X-RateLimit-Reset that can only be a Unix time as one, not as decades to wait', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const headers = (value: string) => new Headers({ 'x-ratelimit-reset': value });
    expect(rateLimitWait(headers('5'), now)).toBe(5);
    expect(rateLimitWait(headers(String(now / 1000 + 4)), now)).toBe(4);
    expect(rateLimitWait(headers(String(now / 1000 - 10)), now)).toBe(0);
    expect(rateLimitWait(headers('later'), now)).toBeUndefined();
    // Retry-After, when present, is the server's clearer word.
    expect(rateLimitWait(new Headers({ 'retry-after': '2', 'x-ratelimit-reset': '9' }), now)).toBe(2);
  });

  it('backs off exponentially with jitter on a 429 without Retry-After', async () => {
    const limited: ScriptedAnswer = {
      status: 429,
      body: { error: { type: 'nylas_rate_limit_exceeded', message: 'slow down' } },
    };
    const { http, sleeps } = await setup([limited, limited, limited, ok({ n: 1 })], { random: () => 0.5 });
    await http.request({ method: 'GET', path: '/c', schema, retry: 'unsafe' });
    // base 10 ms doubling, capped at 40: ceilings 10, 20, 40 → half + half * 0.5
    expect(sleeps).toEqual([7.5, 15, 30]);
  });

  it('retries 5xx on idempotent calls and gives up after the bounded attempts', async () => {
    const { server, http } = await setup([
      { status: 503, body: { request_id: 'r5', error: { type: 'api_error', message: 'down' } } },
    ]);
    const error = await failure(http.request({ method: 'GET', path: '/g', schema, retry: 'idempotent' }));
    expect(server.requests).toHaveLength(4);
    expect(error).toMatchObject({
      status: 503,
      type: 'api_error',
      message: 'down',
      requestId: 'r5',
      attempts: 4,
      retryable: true,
    });
  });

  it('does not repeat an unsafe call after an ambiguous 5xx', async () => {
    const { server, http } = await setup([{ status: 502, body: 'Bad gateway' }, ok({ n: 1 })]);
    const error = await failure(http.request({ method: 'POST', path: '/clone', schema, retry: 'unsafe' }));
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 502, ambiguous: true, type: 'http_502', message: 'Bad gateway' });
  });

  it('retries a timeout on an idempotent call, then reports it', async () => {
    const { server, http } = await setup([{ hang: true }]);
    const error = await failure(http.request({ method: 'GET', path: '/slow', schema, retry: 'idempotent' }));
    expect(server.requests).toHaveLength(4);
    expect(error).toMatchObject({ kind: 'timeout', type: 'timeout', ambiguous: true, attempts: 4 });
    expect(error.message).toBe('no answer within 300 ms');
  });

  it('recovers when a timeout is followed by an answer', async () => {
    const { server, http } = await setup([{ hang: true }, ok({ n: 3 })]);
    const response = await http.request({ method: 'GET', path: '/slow', schema, retry: 'idempotent' });
    expect(response.data.data.n).toBe(3);
    expect(server.requests).toHaveLength(2);
  });

  it('reports a 400 at once with Nylas type, message, request id and provider error', async () => {
    const { server, http } = await setup([
      {
        status: 400,
        body: {
          request_id: 'r400',
          error: {
            type: 'invalid_request_error',
            message: 'v2 account has been deleted',
            provider_error: { error: 'gone' },
          },
        },
      },
    ]);
    const error = await failure(
      http.request({ method: 'POST', path: '/clone', schema, retry: 'idempotent' }),
    );
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({
      kind: 'api',
      status: 400,
      type: 'invalid_request_error',
      message: 'v2 account has been deleted',
      requestId: 'r400',
      providerError: { error: 'gone' },
      retryable: false,
      attempts: 1,
    });
    expect(error.summary()).toBe('400 invalid_request_error: v2 account has been deleted (request r400)');
  });

  it('reads the v2 error shape', async () => {
    const { http } = await setup([
      { status: 401, body: { message: 'Could not verify access credential.', type: 'api_error' } },
    ]);
    const error = await failure(http.request({ method: 'GET', path: '/a/x', schema, retry: 'idempotent' }));
    expect(error).toMatchObject({
      status: 401,
      type: 'api_error',
      message: 'Could not verify access credential.',
    });
  });

  it('reports an answer of the wrong shape as invalid_response, without retrying', async () => {
    const { server, http } = await setup([ok({ n: 'seven' })]);
    const error = await failure(http.request({ method: 'GET', path: '/g', schema, retry: 'idempotent' }));
    expect(server.requests).toHaveLength(1);
    expect(error.type).toBe('invalid_response');
    expect(error.message).toMatch(/^unexpected answer from Nylas at data\.n/);
  });

  it('retries a refused connection even for unsafe calls (nothing was sent)', async () => {
    const { server } = await setup([ok({ n: 1 })]);
    await server.close();
    close = undefined;
    const sleeps: number[] = [];
    const http = createHttpCore({
      baseUrl: server.url,
      maxAttempts: 3,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const error = await failure(http.request({ method: 'POST', path: '/clone', schema, retry: 'unsafe' }));
    expect(error).toMatchObject({ kind: 'network', type: 'network_error', ambiguous: false, attempts: 3 });
    expect(error.message).toBe('network error ECONNREFUSED');
    expect(sleeps).toHaveLength(2);
  });

  it('treats a reset connection as ambiguous for unsafe calls', async () => {
    const { server, http } = await setup([{ destroy: true }, ok({ n: 1 })]);
    const error = await failure(http.request({ method: 'POST', path: '/clone', schema, retry: 'unsafe' }));
    expect(server.requests).toHaveLength(1);
    expect(error).toMatchObject({ kind: 'network', ambiguous: true });
  });

  it('passes every attempt through the gate', async () => {
    const limited: ScriptedAnswer = { status: 429, headers: { 'retry-after': '0' }, body: {} };
    const { http } = await setup([limited, limited, ok({ n: 1 })]);
    let gated = 0;
    await http.request({
      method: 'POST',
      path: '/c',
      schema,
      retry: 'unsafe',
      gate: async () => void gated++,
    });
    expect(gated).toBe(3);
  });

  it('stops at once when the caller aborts, with the caller’s reason', async () => {
    const { http } = await setup([{ hang: true }], { timeoutMs: 5_000 });
    const controller = new AbortController();
    const pending = http.request({
      method: 'GET',
      path: '/slow',
      schema,
      retry: 'idempotent',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('cancelled by test')), 20);
    await expect(pending).rejects.toThrow('cancelled by test');
  });

  it('refuses to wait out an absurd Retry-After', async () => {
    const { http } = await setup([{ status: 429, headers: { 'retry-after': '3600' }, body: {} }], {
      maxRetryAfterMs: 60_000,
    });
    const error = await failure(http.request({ method: 'GET', path: '/c', schema, retry: 'idempotent' }));
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 3600, attempts: 1 });
  });

  it('reports events without headers or query strings', async () => {
    const { http, events } = await setup([ok({ n: 1 })]);
    await http.request({
      method: 'GET',
      path: '/v3/grants',
      query: { account_id: 'acc' },
      headers: { authorization: 'Bearer secret-key' },
      schema,
      retry: 'idempotent',
    });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'response',
        method: 'GET',
        path: '/v3/grants',
        status: 200,
        attempt: 1,
      }),
    ]);
    expect(JSON.stringify(events)).not.toMatch(/secret-key|account_id/);
  });

  it('parses both Retry-After forms', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
