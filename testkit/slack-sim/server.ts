import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { receiveUpload, UPLOAD_PATH } from './methods/files.js';
import { fail, type MethodSpec, missingScope, type SlackBody } from './methods/method.js';
import { methods } from './methods/registry.js';
import {
  BodyTooLargeError,
  InvalidJsonError,
  parseApiArgs,
  parseUploadBody,
  readBody,
  requestToken,
} from './request.js';
import { RESPONSE_PATH } from './response-urls.js';
import type { SimState } from './state.js';
import type { SimCall, SimFault } from './types.js';

const API_PATH = '/api/';

/** What an app-level token for Socket Mode is granted. */
const APP_TOKEN_SCOPES = ['connections:write'];

/** The method name recorded (and matched by `failNext`) for POSTs to an upload URL. */
export const UPLOAD_METHOD = 'upload';

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** Serves a queued fault; true when the response has been sent. */
function serveFault(res: ServerResponse, call: SimCall, fault: SimFault): boolean {
  call.fault = fault.kind;
  switch (fault.kind) {
    case 'ratelimited': {
      const retryAfter = fault.retryAfterSeconds ?? 1;
      call.status = 429;
      call.error = 'ratelimited';
      sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
      return true;
    }
    case 'http_500':
      if (fault.afterEffect) return false;
      call.status = 500;
      call.error = 'http_500';
      sendText(res, 500, 'Internal Server Error');
      return true;
    case 'error':
      call.error = fault.error;
      sendJson(res, 200, { ok: false, error: fault.error });
      return true;
  }
}

/** Slack's answer to a missing, unknown or wrong-kind token; undefined when the token may call. */
function authProblem(
  state: SimState,
  token: string | undefined,
  spec: MethodSpec | undefined,
): SlackBody | undefined {
  if (token === undefined) return fail('not_authed');
  const { botToken, appToken } = state.config;
  if (token !== botToken && token !== appToken) return fail('invalid_auth');
  // Unknown methods answer unknown_method to either kind of token.
  if (spec === undefined) return undefined;
  const wanted = spec.token ?? 'bot';
  if ((wanted === 'app') !== (token === appToken)) return fail('not_allowed_token_type');
  return undefined;
}

function dispatch(
  state: SimState,
  method: string,
  token: string | undefined,
  args: Record<string, unknown>,
  warn: (code: string) => void,
): SlackBody {
  const spec = methods.get(method);
  const denied = authProblem(state, token, spec);
  if (denied !== undefined) return denied;
  if (spec === undefined) return fail('unknown_method', { req_method: method });
  const scopeProblem = spec.scope === undefined ? undefined : missingScope(state.config.scopes, spec.scope);
  if (scopeProblem !== undefined) return scopeProblem;
  return spec.handle(args, { state, warn });
}

/** One request being answered; `call` is its record, there for the error path too. */
interface Exchange {
  call?: SimCall;
}

function startCall(state: SimState, exchange: Exchange, method: string): SimCall {
  const call: SimCall = { method, args: {}, at: Date.now(), ok: false, status: 200, warnings: [] };
  state.calls.push(call);
  exchange.call = call;
  return call;
}

async function handleApi(
  state: SimState,
  exchange: Exchange,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = decodeURIComponent(url.pathname.slice(API_PATH.length));
  const call = startCall(state, exchange, method);
  let args: Record<string, unknown>;
  try {
    args = await parseApiArgs(await readBody(req), req.headers['content-type'], url.searchParams);
  } catch (error) {
    if (error instanceof InvalidJsonError) {
      call.error = 'invalid_json';
      sendJson(res, 200, { ok: false, error: 'invalid_json' });
      return;
    }
    throw error;
  }
  const token = requestToken(req.headers.authorization, args);
  const { token: _token, ...recordedArgs } = args;
  call.args = recordedArgs;
  if (token !== undefined) call.token = token;

  // The answer is computed after the wait, as a slow Slack would: state changes meanwhile are seen.
  const latency = state.latencies.get(method);
  if (latency !== undefined) await new Promise((resolve) => setTimeout(resolve, latency));
  const fault = state.faults.take(method);
  if (fault !== undefined && serveFault(res, call, fault)) return;
  // Only calls that would otherwise be answered count against the limits (a bad token is not served).
  const answerable = authProblem(state, token, methods.get(method)) === undefined;
  const retryAfter = answerable
    ? ((state.config.rateLimits ? state.rateLimits.take(method, recordedArgs) : undefined) ??
      state.rateLimits.takeHomePublish(method, recordedArgs, state.config.homePublishSpacingMs))
    : undefined;
  if (retryAfter !== undefined) {
    serveFault(res, call, { method, kind: 'ratelimited', retryAfterSeconds: retryAfter });
    call.fault = undefined;
    return;
  }

  const body = dispatch(state, method, token, recordedArgs, (code) => call.warnings.push(code));
  call.ok = body.ok;
  if (!body.ok) call.error = body.error;
  if (fault?.kind === 'http_500') {
    // The method ran; the client only learns that something failed.
    call.ok = false;
    call.status = 500;
    call.error = 'http_500';
    sendText(res, 500, 'Internal Server Error');
    return;
  }
  const scopes = token === state.config.appToken ? APP_TOKEN_SCOPES : state.config.scopes;
  sendJson(res, 200, body, { 'x-oauth-scopes': scopes.join(',') });
}

async function handleUpload(
  state: SimState,
  exchange: Exchange,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const fileId = decodeURIComponent(url.pathname.slice(UPLOAD_PATH.length));
  const call = startCall(state, exchange, UPLOAD_METHOD);
  call.args = { file_id: fileId };
  const { bytes, field, filename } = await parseUploadBody(await readBody(req), req.headers['content-type']);
  call.args = {
    file_id: fileId,
    length: bytes.length,
    content_type: req.headers['content-type'] ?? '',
    ...(field === undefined ? {} : { field }),
    ...(filename === undefined ? {} : { filename }),
  };
  // Upload URLs need no token (Slack's are pre-signed); recorded because WebClient sends one anyway.
  const token = requestToken(req.headers.authorization, {});
  if (token !== undefined) call.token = token;
  const fault = state.faults.take(UPLOAD_METHOD);
  if (fault !== undefined && serveFault(res, call, fault)) return;
  const file = state.files.get(fileId);
  if (!receiveUpload(file, bytes)) {
    call.status = 404;
    call.error = 'file_not_found';
    sendText(res, 404, 'Not Found');
    return;
  }
  if (file !== undefined && file.length !== bytes.length) call.warnings.push('length_mismatch');
  if (fault?.kind === 'http_500') {
    call.status = 500;
    call.error = 'http_500';
    sendText(res, 500, 'Internal Server Error');
    return;
  }
  call.ok = true;
  sendText(res, 200, `OK - ${bytes.length}`);
}

async function route(
  state: SimState,
  exchange: Exchange,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname.startsWith(API_PATH) && (req.method === 'POST' || req.method === 'GET')) {
    await handleApi(state, exchange, req, res, url);
  } else if (url.pathname.startsWith(UPLOAD_PATH) && req.method === 'POST') {
    await handleUpload(state, exchange, req, res, url);
  } else if (url.pathname.startsWith(RESPONSE_PATH) && req.method === 'POST') {
    const id = decodeURIComponent(url.pathname.slice(RESPONSE_PATH.length));
    const answer = state.responseUrls.receive(state, id, `${state.url}${url.pathname}`, await readBody(req));
    sendText(res, answer.status, answer.text);
  } else {
    sendText(res, 404, 'Not Found');
  }
}

/** The HTTP server in front of the state; not listening yet. */
export function createSlackSimServer(state: SimState): Server {
  return createServer((req, res) => {
    const exchange: Exchange = {};
    route(state, exchange, req, res).catch((error: unknown) => {
      // A bug in the stand-in (or a body too large): answer 500 and keep the cause on the recorded
      // call, where a test sees it.
      const detail = error instanceof Error ? error.message : String(error);
      if (exchange.call !== undefined) {
        exchange.call.ok = false;
        exchange.call.status = 500;
        exchange.call.error = error instanceof BodyTooLargeError ? 'request_too_large' : 'sim_internal_error';
        exchange.call.args = { ...exchange.call.args, sim_error: detail };
      }
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'sim_internal_error', detail });
      else res.end();
    });
  });
}
