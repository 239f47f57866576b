import { WebClientEvent } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';
import { simClient, slackError } from './slack-client.js';

let sim: SlackSim;

beforeAll(async () => {
  sim = await startSlackSim();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

async function postParent(): Promise<string> {
  const { ts } = await simClient(sim).chat.postMessage({ channel: 'C_MIGRATIONS', text: 'Migrating' });
  return ts as string;
}

describe('failNext', () => {
  it('answers 429 with Retry-After; WebClient waits that long, retries and succeeds', async () => {
    const ts = await postParent();
    sim.failNext({ method: 'chat.update', times: 1, kind: 'ratelimited', retryAfterSeconds: 1 });
    const client = simClient(sim, { retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    let rateLimitedFor: number | undefined;
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => {
      rateLimitedFor = seconds;
    });
    const started = Date.now();
    await client.chat.update({ channel: 'C_MIGRATIONS', ts, text: 'Step 1 of 3' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(rateLimitedFor).toBe(1);
    expect(sim.calls('chat.update').map((c) => [c.status, c.ok, c.error])).toEqual([
      [429, false, 'ratelimited'],
      [200, true, undefined],
    ]);
    expect(sim.messages('C_MIGRATIONS')[0]?.text).toBe('Step 1 of 3');
  });

  it('lets a client that rejects rate-limited calls see the 429 and the method not run', async () => {
    const ts = await postParent();
    sim.failNext({ method: 'chat.update', kind: 'ratelimited', retryAfterSeconds: 30 });
    const client = simClient(sim, { rejectRateLimitedCalls: true });
    await expect(client.chat.update({ channel: 'C_MIGRATIONS', ts, text: 'dropped' })).rejects.toMatchObject({
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 30,
    });
    expect(sim.messages('C_MIGRATIONS')[0]?.text).toBe('Migrating');
  });

  it('answers HTTP 500 the given number of times, on any method for "*"', async () => {
    sim.failNext({ method: '*', times: 2, kind: 'http_500' });
    const client = simClient(sim);
    await expect(client.chat.postMessage({ channel: 'C_GENERAL', text: 'a' })).rejects.toMatchObject({
      code: 'slack_webapi_http_error',
      statusCode: 500,
    });
    expect(await slackError(client.users.info({ user: 'U_ADMIN' }))).toBe('slack_webapi_http_error');
    await client.chat.postMessage({ channel: 'C_GENERAL', text: 'b' });
    expect(sim.messages('C_GENERAL').map((m) => m.text)).toEqual(['b']);
    expect(sim.calls().map((c) => c.fault)).toEqual(['http_500', 'http_500', undefined]);
  });

  it('can answer 500 after the method ran, so a blind retry posts twice', async () => {
    sim.failNext({ method: 'chat.postMessage', kind: 'http_500', afterEffect: true });
    const client = simClient(sim, { retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });
    await client.chat.postMessage({ channel: 'C_GENERAL', text: 'step reply' });
    expect(sim.messages('C_GENERAL').map((m) => m.text)).toEqual(['step reply', 'step reply']);
  });

  it('forces a Slack error such as not_in_channel, then behaves again', async () => {
    const ts = await postParent();
    sim.failNext({ method: 'chat.postMessage', kind: 'error', error: 'not_in_channel' });
    const client = simClient(sim);
    expect(
      await slackError(client.chat.postMessage({ channel: 'C_MIGRATIONS', thread_ts: ts, text: 'step 1' })),
    ).toBe('not_in_channel');
    await client.chat.postMessage({ channel: 'C_MIGRATIONS', thread_ts: ts, text: 'step 1' });
    expect(sim.thread('C_MIGRATIONS', ts).map((m) => m.text)).toEqual(['step 1']);
  });

  it('fails the upload step of filesUploadV2 too', async () => {
    sim.failNext({ method: 'upload', kind: 'http_500' });
    const client = simClient(sim);
    await expect(
      client.filesUploadV2({ channel_id: 'C_GENERAL', filename: 'r.csv', content: 'a,b' }),
    ).rejects.toThrow();
    expect(sim.calls().map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'upload']);
    expect(sim.files()).toEqual([]);
  });

  it('forgets queued faults on reset', async () => {
    sim.failNext({ method: '*', times: 5, kind: 'error', error: 'fatal_error' });
    sim.reset();
    await simClient(sim).auth.test();
    expect(sim.calls()).toHaveLength(1);
  });
});

describe('setLatency', () => {
  it('answers that method late, and only that one, until set back to 0', async () => {
    sim.setLatency('users.info', 300);
    const client = simClient(sim);
    const started = Date.now();
    const [info] = await Promise.all([
      client.users.info({ user: 'U_ADMIN' }).then((answer) => ({ answer, ms: Date.now() - started })),
      client.auth.test(),
    ]);
    expect(info.ms).toBeGreaterThanOrEqual(300);
    expect(info.answer.user?.is_admin).toBe(true);
    // The other method was not held behind it.
    const [infoCall] = sim.calls('users.info');
    const [authCall] = sim.calls('auth.test');
    expect(authCall?.ok).toBe(true);
    expect(infoCall?.at).toBeLessThanOrEqual(started + 300);
    sim.setLatency('users.info', 0);
    const again = Date.now();
    await client.users.info({ user: 'U_ADMIN' });
    expect(Date.now() - again).toBeLessThan(300);
  });
});
