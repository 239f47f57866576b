import { SocketModeClient } from '@slack/socket-mode';
import { afterEach, describe, expect, it } from 'vitest';
import { appHomeOpenedEvent, eventCallbackPayload } from '../../testkit/slack-sim/driver.js';
import { type SlackSim, type SlackSimOptions, startSlackSim } from '../../testkit/slack-sim/index.js';
import { silentLogger, simClient, slackError } from './slack-client.js';

let sim: SlackSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SlackSimOptions = {}): Promise<SlackSim> {
  sim = await startSlackSim(options);
  return sim;
}

const home = (blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: 'Hello' } }]) => ({
  type: 'home' as const,
  blocks: blocks as never,
});

describe('views.publish on the stand-in', () => {
  it("publishes a user's Home tab, replacing the last one, and keeps what each user sees", async () => {
    const s = await start();
    const client = simClient(s);
    const first = await client.views.publish({ user_id: 'U_ADMIN', view: home() });
    expect(first.view).toMatchObject({
      type: 'home',
      id: expect.stringMatching(/^V/),
      hash: expect.any(String),
    });
    const second = await client.views.publish({
      user_id: 'U_ADMIN',
      hash: first.view?.hash as string,
      view: home([{ type: 'section', text: { type: 'mrkdwn', text: 'Again' } }]),
    });
    expect(second.view?.id).toBe(first.view?.id);
    expect(JSON.stringify(s.homeView('U_ADMIN'))).toContain('Again');
    expect(s.homeView('U_OWNER')).toBeUndefined();
    expect(s.homePublishes('U_ADMIN')).toHaveLength(2);
    // A stale hash loses, as on Slack.
    expect(
      await slackError(
        client.views.publish({ user_id: 'U_ADMIN', hash: first.view?.hash as string, view: home() }),
      ),
    ).toBe('hash_conflict');
  });

  it('refuses what Slack refuses: not a home view, over 100 blocks, over 250 kB, modal fields, an unknown user, a disabled Home tab', async () => {
    const s = await start();
    const client = simClient(s);
    const section = { type: 'section', text: { type: 'mrkdwn', text: 'x' } };
    const refused = async (args: Parameters<typeof client.views.publish>[0]) => {
      try {
        await client.views.publish(args);
        return 'ok';
      } catch (error) {
        const data = (error as { data?: { error?: string; response_metadata?: { messages?: string[] } } })
          .data;
        return `${data?.error}${data?.response_metadata?.messages ? `: ${data.response_metadata.messages.join('; ')}` : ''}`;
      }
    };
    expect(await refused({ user_id: 'U_ADMIN', view: { type: 'modal', blocks: [] } as never })).toMatch(
      /invalid_arguments: .*must be home/,
    );
    expect(
      await refused({ user_id: 'U_ADMIN', view: home(Array.from({ length: 101 }, () => section)) }),
    ).toMatch(/must be no more than 100 items/);
    const big = { type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(2_900) } };
    expect(await refused({ user_id: 'U_ADMIN', view: home(Array.from({ length: 100 }, () => big)) })).toBe(
      'view_too_large',
    );
    expect(
      await refused({
        user_id: 'U_ADMIN',
        view: { ...home(), title: { type: 'plain_text', text: 'x' } } as never,
      }),
    ).toMatch(/title is not allowed in a home view/);
    expect(await refused({ user_id: 'U_NOBODY', view: home() })).toBe('user_not_found');
    expect(s.homeView('U_ADMIN')).toBeUndefined();

    await sim?.close();
    const off = await start({ homeTabEnabled: false });
    expect(await slackError(simClient(off).views.publish({ user_id: 'U_ADMIN', view: home() }))).toBe(
      'not_enabled',
    );
  });

  it('limits publishes per user when asked (homePublishSpacingMs): a second one too soon is a 429', async () => {
    const s = await start({ homePublishSpacingMs: 60_000 });
    const client = simClient(s, { rejectRateLimitedCalls: true });
    await client.views.publish({ user_id: 'U_ADMIN', view: home() });
    await client.views.publish({ user_id: 'U_OWNER', view: home() }); // another user: its own budget
    expect(await slackError(client.views.publish({ user_id: 'U_ADMIN', view: home() }))).toBe(
      'slack_webapi_rate_limited_error',
    );
    expect(s.calls('views.publish').map((call) => call.status)).toEqual([200, 200, 429]);
  });
});

describe('the Events API over Socket Mode on the stand-in', () => {
  it('sends an events_api envelope the app must ack, and refuses a payload that is not an event_callback', async () => {
    const s = await start();
    const client = new SocketModeClient({
      appToken: s.appToken,
      clientOptions: { slackApiUrl: s.apiUrl },
      logger: silentLogger,
    });
    const received: Array<{ type: string; body: Record<string, unknown> }> = [];
    client.on('app_home_opened', async ({ ack, body }) => {
      received.push({ type: 'app_home_opened', body });
      await ack();
    });
    await client.start();
    try {
      const envelope = eventCallbackPayload({ event: appHomeOpenedEvent('U_ADMIN') });
      const answer = await s.sendEvent(envelope);
      expect(answer.ack.envelope_id).toBe(answer.envelopeId);
      expect(received).toHaveLength(1);
      expect(received[0]?.body).toMatchObject({
        type: 'event_callback',
        team_id: 'T_TEST',
        event: { type: 'app_home_opened', user: 'U_ADMIN', tab: 'home', channel: 'D_U_ADMIN' },
      });
      await expect(s.sendEvent({ type: 'block_actions' })).rejects.toThrow(/event_callback/);
    } finally {
      await client.disconnect();
    }
  });
});
