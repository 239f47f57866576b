/**
 * Shared helpers for the simulator's tests: start a sim that closes itself when the test ends, and
 * talk to it over real HTTP the way a Nylas client would.
 */
import { onTestFinished } from 'vitest';
import {
  type NylasSim,
  type NylasSimOptions,
  type SimV2Account,
  startNylasSim,
} from '../../testkit/nylas-sim/index.js';

export const V2_ID = 'v2-acme';
export const V2_SECRET = 'v2-acme-secret';
export const V3_ID = 'v3-acme';
export const V3_KEY = 'nyk_v0_acme';

export interface HttpResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies of many shapes and assert on them
  json: any;
}

/** A sim with one v2 app (`V2_ID`, 200 accounts) and one v3 app (`V3_ID`), both US, unless overridden. */
export async function startSim(overrides: Partial<NylasSimOptions> = {}): Promise<NylasSim> {
  const sim = await startNylasSim({
    v2Apps: [
      { clientId: V2_ID, clientSecret: V2_SECRET, name: 'Acme (v2)', accounts: 200, seed: 42, region: 'us' },
    ],
    v3Apps: [{ applicationId: V3_ID, apiKey: V3_KEY, region: 'us', name: 'Acme (v3)' }],
    ...overrides,
  });
  onTestFinished(() => sim.close());
  return sim;
}

async function toResult(response: Response): Promise<HttpResult> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? undefined : JSON.parse(text),
  };
}

/** v2 call: HTTP Basic with the client secret as username and an empty password. */
export async function v2Get(sim: NylasSim, path: string, secret = V2_SECRET): Promise<HttpResult> {
  const auth = Buffer.from(`${secret}:`).toString('base64');
  return toResult(await fetch(`${sim.url}${path}`, { headers: { authorization: `Basic ${auth}` } }));
}

/** v3 call with a Bearer API key. */
export async function v3(
  sim: NylasSim,
  method: string,
  path: string,
  options: { key?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.key ?? V3_KEY}`,
    ...options.headers,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return toResult(
    await fetch(`${sim.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    }),
  );
}

export function basicV2(id: string, secret: string): string {
  return Buffer.from(`${id}:${secret}`).toString('base64');
}

export async function link(
  sim: NylasSim,
  key = V3_KEY,
  v2Id = V2_ID,
  secret = V2_SECRET,
): Promise<HttpResult> {
  return v3(sim, 'POST', '/v3/migration-tools/link-v2v3-apps', {
    key,
    headers: { BasicV2: basicV2(v2Id, secret) },
  });
}

export async function linkAndImport(
  sim: NylasSim,
  key = V3_KEY,
  v2Id = V2_ID,
  secret = V2_SECRET,
): Promise<void> {
  const linked = await link(sim, key, v2Id, secret);
  if (linked.status !== 200) throw new Error(`link failed: ${linked.status} ${JSON.stringify(linked.json)}`);
  const imported = await v3(sim, 'POST', '/v3/migration-tools/import-v2-app', { key });
  if (imported.status !== 200)
    throw new Error(`import failed: ${imported.status} ${JSON.stringify(imported.json)}`);
}

export async function clone(
  sim: NylasSim,
  accountId: string,
  flags: { allowInvalidGrantCreation?: boolean; cloneExchange?: boolean } = {},
  key = V3_KEY,
): Promise<HttpResult> {
  const query = new URLSearchParams();
  if (flags.allowInvalidGrantCreation !== undefined) {
    query.set('allow_invalid_grant_creation', String(flags.allowInvalidGrantCreation));
  }
  if (flags.cloneExchange !== undefined) query.set('clone_exchange', String(flags.cloneExchange));
  const qs = query.size > 0 ? `?${query}` : '';
  return v3(sim, 'POST', `/v3/migration-tools/grants/${encodeURIComponent(accountId)}/clone${qs}`, { key });
}

/** The first account of the dataset that satisfies `predicate`; fails the test when there is none. */
export function findAccount(
  sim: NylasSim,
  predicate: (account: SimV2Account) => boolean,
  v2Id = V2_ID,
): SimV2Account {
  const account = sim.accounts(v2Id).find(predicate);
  if (account === undefined) throw new Error('no account in the dataset matches');
  return account;
}

/** Runs `fn` over `items` with at most `concurrency` in flight, keeping results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T); // index < items.length, checked above
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
