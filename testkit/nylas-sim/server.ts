/**
 * The simulator's HTTP server (node:http on 127.0.0.1). One request goes through, in order:
 * route match (unknown → 404) → count → v2: host-down check, Basic auth | v3: Bearer auth, then
 * the per-app sliding-window limit (auth first: a limit is per app, and only a valid key names the
 * app) → injected or random fault → handler → latency → answer.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { IMPORTED_CONNECTOR_SET } from './connectors.js';
import { type FaultAnswer, FaultPlan } from './faults.js';
import { matchRoute, type Reply, type Route, v2Error, v3Error } from './http.js';
import { decideClone, toExpectedOutcome } from './outcomes.js';
import { createRandom } from './random.js';
import { migrationRoutes, type Scheduler } from './routes-migration.js';
import { v2Routes } from './routes-v2.js';
import { v3Routes } from './routes-v3.js';
import { SimState, type V2AppState, type V3AppState } from './state.js';
import type { NylasSim, NylasSimOptions } from './types.js';

const MAX_BODY_BYTES = 1024 * 1024;
/** The spec's example 504 body: `{error: {type: "provider_error", message: "Provider request timed out."}}`. */
const TIMEOUT_MESSAGE = 'Provider request timed out.';

/** Starts a simulator; resolves once it listens. */
export async function startNylasSim(options: NylasSimOptions): Promise<NylasSim> {
  const settings = checkOptions(options);
  const state = new SimState({
    v2Apps: options.v2Apps,
    v3Apps: options.v3Apps,
    migrationRateLimit: settings.migrationRateLimit,
    v3RateLimit: settings.v3RateLimit,
    readings: options.readings,
  });
  const faults = new FaultPlan(options.faults);
  const latencyRandom = createRandom(options.faults?.seed ?? 7);

  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  const schedule: Scheduler = (ms, fn) => {
    if (closing) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const delay = (ms: number): Promise<void> =>
    ms <= 0 ? Promise.resolve() : new Promise((resolve) => schedule(ms, resolve));

  const routes: Route[] = [
    ...v2Routes(),
    ...v3Routes(state),
    ...migrationRoutes(state, schedule, options.jobStepMs),
  ];
  let rateLimitReplies = 0;

  const retryAfterHeader = (): Record<string, string> => {
    rateLimitReplies++;
    const send =
      settings.retryAfter === 'always' || (settings.retryAfter === 'alternate' && rateLimitReplies % 2 === 1);
    return send ? { 'retry-after': '1' } : {};
  };

  const latency = (): number => {
    const l = settings.latency;
    return typeof l === 'number' ? l : l.min + latencyRandom.next() * (l.max - l.min);
  };

  /** Auth, rate limit and counting: everything decided synchronously at arrival. */
  const admit = (
    req: IncomingMessage,
    method: string,
    pathname: string,
    arrival: number,
  ):
    | { kind: 'reply'; surface: 'v2' | 'v3'; reply: Reply }
    | {
        kind: 'v2';
        route: Extract<Route, { surface: 'v2' }>;
        params: Record<string, string>;
        app: V2AppState;
      }
    | {
        kind: 'v3';
        route: Extract<Route, { surface: 'v3' }>;
        params: Record<string, string>;
        app: V3AppState;
      } => {
    const match = matchRoute(routes, method, pathname);
    if (match.kind === 'not_found') {
      state.countRequest(`${method} *`);
      return {
        kind: 'reply',
        surface: 'v3',
        reply: v3Error(404, 'not_found_error', `no route for ${method} ${pathname}`),
      };
    }
    if (match.kind === 'method_not_allowed') {
      state.countRequest(`${method} ${match.template}`);
      const surface = match.template.startsWith('/v3/') ? 'v3' : 'v2';
      const reply =
        surface === 'v3'
          ? v3Error(405, 'invalid_request_error', `${method} is not allowed on ${match.template}`)
          : v2Error(405, 'invalid_request_error', `${method} is not allowed on ${match.template}`);
      return { kind: 'reply', surface, reply };
    }
    const { route, params } = match;
    state.countRequest(`${method} ${route.template}`);
    if (route.surface === 'v2') {
      if (state.v2Down)
        return { kind: 'reply', surface: 'v2', reply: v2Error(503, 'api_error', 'Service Unavailable') };
      const app = authenticateV2(state, req, params.client_id ?? '');
      if (app === undefined) {
        return {
          kind: 'reply',
          surface: 'v2',
          reply: v2Error(401, 'invalid_request_error', 'Could not verify access credential.'),
        };
      }
      return { kind: 'v2', route, params, app };
    }
    const app = authenticateV3(state, req);
    if (app === undefined) {
      return { kind: 'reply', surface: 'v3', reply: v3Error(401, 'unauthorized', 'Unauthorized') };
    }
    const migration = route.rateClass === 'migration';
    (migration ? app.migrationPeak : app.v3Peak).record(arrival);
    if (!(migration ? app.migrationLimiter : app.v3Limiter).tryAcquire(arrival)) {
      state.countRateLimited();
      const reply = v3Error(429, 'nylas_rate_limit_exceeded', 'Too many requests');
      return { kind: 'reply', surface: 'v3', reply: { ...reply, headers: retryAfterHeader() } };
    }
    if (route.fault === 'clone') state.countCloneCall(params.account_id ?? '');
    return { kind: 'v3', route, params, app };
  };

  const faultReply = (fault: Extract<FaultAnswer, { kind: 'status' }>, surface: 'v2' | 'v3'): Reply => {
    const type = fault.errorType ?? defaultErrorType(fault.status, surface);
    const message = fault.message ?? defaultMessage(fault.status);
    const reply =
      surface === 'v3' ? v3Error(fault.status, type, message) : v2Error(fault.status, type, message);
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
    if (fault.status === 429) {
      state.countRateLimited();
      if (surface === 'v2') {
        headers['x-ratelimit-limit'] = '500';
        // v2 says when its window resets in seconds from now (not a Unix time), and sends no Retry-After.
        headers['x-ratelimit-reset'] = String(fault.retryAfterSeconds ?? 1);
        delete headers['retry-after'];
      }
    }
    return { ...reply, headers };
  };

  const process = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrival = performance.now();
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = readJsonBody(req);
    const admitted = admit(req, method, url.pathname, arrival);
    const surface: 'v2' | 'v3' = admitted.kind === 'reply' ? admitted.surface : admitted.kind;
    let reply: Reply;
    try {
      if (admitted.kind === 'reply') reply = admitted.reply;
      else {
        const parsed = await body;
        const fault = faults.take(admitted.route.fault ?? 'any', admitted.params.account_id);
        if (fault?.kind === 'status' && !fault.acted) reply = faultReply(fault, surface);
        else if (!parsed.ok) {
          reply =
            surface === 'v3'
              ? v3Error(400, 'invalid_request_error', 'error parsing request body')
              : v2Error(400, 'invalid_request_error', 'error parsing request body');
        } else {
          const ctx = { url, params: admitted.params, headers: req.headers, body: parsed.value };
          reply =
            admitted.kind === 'v2'
              ? admitted.route.handle({ ...ctx, app: admitted.app })
              : admitted.route.handle({ ...ctx, app: admitted.app });
          // The handler ran (a clone created its grant); the client only sees the error that follows.
          if (fault?.kind === 'status') reply = faultReply(fault, surface);
          if (fault?.kind === 'timeout') {
            await delay(settings.timeoutHangMs);
            reply =
              surface === 'v3'
                ? v3Error(504, 'provider_error', TIMEOUT_MESSAGE)
                : v2Error(504, 'api_error', 'Gateway Timeout');
          }
        }
      }
    } catch (error) {
      // A handler bug: answer 500 with the cause so a test sees it, and keep the server up.
      const message = error instanceof Error ? error.message : String(error);
      reply =
        surface === 'v3'
          ? v3Error(500, 'internal_error', `simulator error: ${message}`)
          : v2Error(500, 'api_error', `simulator error: ${message}`);
    }
    await delay(latency());
    write(res, reply, surface, requestId);
  };

  const server = createServer((req, res) => {
    void process(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo; // a TCP server bound to a host always has an AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      if (closing) return;
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
    accounts: (v2ClientId) => state.requireV2(v2ClientId).dataset.accounts,
    expectedOutcome: (v2ClientId, accountId, flags, attempt = 1) => {
      const v2 = state.requireV2(v2ClientId);
      return toExpectedOutcome(
        decideClone({
          linked: true,
          account: v2.dataset.byId.get(accountId),
          connectors: IMPORTED_CONNECTOR_SET,
          flaky: v2.dataset.flaky.has(accountId),
          attempt,
          flags,
        }),
      );
    },
    counters: () => state.counters(),
    resetCounters: () => state.resetCounters(),
    injectFaults: (rule) => faults.inject(rule),
    setV2Down: (down) => {
      state.v2Down = down;
    },
    setGrantStatus: (accountId, status) => {
      if (status === undefined) state.grantStatusOverrides.delete(accountId);
      else state.grantStatusOverrides.set(accountId, status);
    },
    grants: (v3AppId) => state.requireV3(v3AppId).grants,
    application: (v3AppId) => state.applicationObject(state.requireV3(v3AppId)),
  };
}

interface Settings {
  port: number;
  migrationRateLimit: number;
  v3RateLimit: number;
  latency: number | { min: number; max: number };
  retryAfter: 'always' | 'never' | 'alternate';
  timeoutHangMs: number;
}

function checkOptions(options: NylasSimOptions): Settings {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`port must be 0–65535: ${port}`);
  const migrationRateLimit = options.migrationRateLimit ?? 20;
  const v3RateLimit = options.v3RateLimit ?? 50;
  for (const [name, value] of [
    ['migrationRateLimit', migrationRateLimit],
    ['v3RateLimit', v3RateLimit],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a positive integer: ${value}`);
  }
  const latency = options.latencyMs ?? 0;
  if (typeof latency === 'number' ? !(latency >= 0) : !(latency.min >= 0 && latency.max >= latency.min)) {
    throw new RangeError(`latencyMs must be ≥ 0 (or 0 ≤ min ≤ max): ${JSON.stringify(latency)}`);
  }
  const timeoutHangMs = options.timeoutHangMs ?? 30_000;
  if (!(timeoutHangMs >= 0)) throw new RangeError(`timeoutHangMs must be ≥ 0: ${timeoutHangMs}`);
  return {
    port,
    migrationRateLimit,
    v3RateLimit,
    latency,
    retryAfter: options.retryAfter ?? 'alternate',
    timeoutHangMs,
  };
}

/**
 * v2: `Authorization: Basic base64("SECRET:")`; the secret must be the path's app's and the password
 * empty (v2 reads the secret as the user name; `id:secret` is the Migration API's BasicV2, not this).
 */
function authenticateV2(state: SimState, req: IncomingMessage, clientId: string): V2AppState | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Basic\s+(\S+)$/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const app = state.v2Apps.get(clientId);
  return app !== undefined && username !== '' && username === app.clientSecret && password === ''
    ? app
    : undefined;
}

/** v3: `Authorization: Bearer <api key>`; the key names the app. */
function authenticateV3(state: SimState, req: IncomingMessage): V3AppState | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] === undefined ? undefined : state.v3AppByKey(match[1]);
}

type BodyResult = { ok: true; value: unknown } | { ok: false };

function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return resolve({ ok: false });
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({ ok: true, value: undefined });
      try {
        resolve({ ok: true, value: JSON.parse(text) as unknown });
      } catch {
        // Malformed JSON is the client's mistake: the route answers 400.
        resolve({ ok: false });
      }
    });
    // An aborted request never gets an answer anyway; resolve so nothing dangles.
    req.on('error', () => resolve({ ok: false }));
  });
}

function write(res: ServerResponse, reply: Reply, surface: 'v2' | 'v3', requestId: string): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    ...reply.headers,
  };
  let body = reply.body;
  if (surface === 'v3') {
    headers['x-request-id'] = requestId;
    if (typeof body === 'object' && body !== null && !Array.isArray(body))
      body = { request_id: requestId, ...body };
  }
  const text = JSON.stringify(body);
  headers['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers);
  res.end(text);
}

function defaultErrorType(status: number, surface: 'v2' | 'v3'): string {
  if (surface === 'v2')
    return status === 429 ? 'rate_limit_error' : status < 500 ? 'invalid_request_error' : 'api_error';
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found_error';
    case 429:
      return 'nylas_rate_limit_exceeded';
    case 500:
      return 'internal_error';
    case 502:
      return 'bad_gateway';
    case 503:
      return 'service_unavailable';
    case 504:
      return 'provider_error'; // the spec's 504 example
    default:
      return 'api_error';
  }
}

function defaultMessage(status: number): string {
  switch (status) {
    case 429:
      return 'Too many requests';
    case 500:
      return 'Internal Server Error';
    case 502:
      return 'Bad Gateway';
    case 503:
      return 'Service Unavailable';
    case 504:
      return TIMEOUT_MESSAGE;
    default:
      return `Simulated error ${status}`;
  }
}
