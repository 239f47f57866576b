import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_APPS } from '../../testkit/local-stack.js';
import { eventCallbackPayload, postEventToBot } from '../../testkit/slack-sim/driver.js';
import { viewText } from '../../testkit/slack-sim/index.js';
import { type Stack, startStack } from '../helpers/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The Home tab a user sees now, as text. */
const homeText = (s: Stack, userId: string) => viewText(s.slack.homeView(userId));

describe('the App Home', () => {
  it('shows a verified admin the runs (title, state, counts, requester, thread link); anyone else an explanation and no run data', async () => {
    stack = await startStack({ accounts: 30 });
    const s = stack;
    await s.startMigration('U_ADMIN', { title: 'Acme to v3' });
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    const id = record.request.migrationId;

    const opened = await s.openHome('U_OWNER');
    expect(opened.status).toBe(200);
    const home = await s.waitFor('the admin Home', () => s.slack.homeView('U_OWNER'));
    expect(home).toMatchObject({ type: 'home' });
    const text = viewText(home);
    expect(text).toContain('*Acme to v3* · Production');
    // The apps by their names in the apps file.
    expect(text).toContain(`v2 app ${LOCAL_APPS.v2.name} → v3 app ${LOCAL_APPS.v3.name}`);
    expect(text).toMatch(/completed · 30 accounts — \d+ migrated/);
    expect(text).toContain('requested by @U_ADMIN');
    expect(text).toMatch(/thread <https?:\/\/[^>]+> in #C_GENERAL/);
    expect(text).toContain(id);
    expect(text).toContain('[Re-upload report]');
    expect(s.audits().at(-1)).toMatchObject({ who: 'U_OWNER', what: 'home.open', outcome: 'allowed' });

    await s.openHome('U_MEMBER');
    const refused = await s.waitFor('the member Home', () => homeText(s, 'U_MEMBER') || undefined);
    expect(refused).toContain('verified workspace admins only');
    expect(refused).toContain('only workspace admins and owners');
    expect(refused).not.toContain('Acme');
    expect(refused).not.toContain(id);
    expect(JSON.stringify(s.slack.homeView('U_MEMBER'))).not.toContain('migrate_home_report');
    expect(s.audits().at(-1)).toMatchObject({ who: 'U_MEMBER', what: 'home.open', outcome: 'refused' });

    // The Messages tab is not the Home: nothing is published for it.
    const before = s.slack.calls('views.publish').length;
    await postEventToBot(
      s.botUrl,
      eventCallbackPayload({
        event: {
          type: 'app_home_opened',
          user: 'U_PRIMARY',
          channel: 'D_U_PRIMARY',
          tab: 'messages',
          event_ts: '1.2',
        },
      }),
    );
    // An unsigned event is refused before it reaches any listener.
    const forged = await postEventToBot(
      s.botUrl,
      eventCallbackPayload({
        event: { type: 'app_home_opened', user: 'U_PRIMARY', tab: 'home', channel: 'D_U_PRIMARY' },
      }),
      { signature: 'v0=forged' },
    );
    expect(forged.status).toBe(401);
    // Slack's url_verification handshake is answered with its challenge.
    const challenge = await postEventToBot(s.botUrl, {
      type: 'url_verification',
      challenge: 'abc123',
      token: 'x',
    });
    expect(challenge.json).toEqual({ challenge: 'abc123' });
    await s.openHome('U_ADMIN'); // a marker: its publish comes after anything the two above could have caused
    await s.waitFor('the marker publish', () => s.slack.homeView('U_ADMIN'));
    expect(
      s.slack
        .calls('views.publish')
        .slice(before)
        .map((call) => call.args.user_id),
    ).toEqual(['U_ADMIN']);
    expect(s.slack.calls('views.publish').every((call) => call.ok)).toBe(true);
  });

  it('refreshes by itself as a run is queued, runs and finishes, without being opened again', async () => {
    stack = await startStack({ accounts: 40 });
    const s = stack;
    await s.openHome('U_ADMIN');
    const empty = await s.waitFor('the first Home', () => homeText(s, 'U_ADMIN') || undefined);
    expect(empty).toContain('No migrations yet');

    await s.startMigration('U_ADMIN', { title: 'Refresh me' });
    const record = await s.waitForRecord();
    const finalText = await s.waitFor('the Home to show the finished run', () => {
      const text = homeText(s, 'U_ADMIN');
      return text.includes(':white_check_mark: completed') ? text : undefined;
    });
    expect(finalText).toContain('*Refresh me*');
    expect(finalText).toContain('*Running (0)*');
    expect(finalText).toContain('*Recent (1)*');
    expect(finalText).toContain(record.request.migrationId);
    // Only the one opening came from Slack; every later publish was the bot's own refresh.
    expect(s.slack.homePublishes('U_ADMIN').length).toBeGreaterThanOrEqual(2);
    expect(s.slack.calls('views.publish').every((call) => call.ok)).toBe(true);
  });

  it('throttles: a burst of changes gives at most one publish per admin per window, and the last one shows the final state', async () => {
    // The stand-in refuses a second publish to a user within 1.5 s; the bot waits 2.5 s between them.
    stack = await startStack({
      accounts: 20,
      slack: { homePublishSpacingMs: 1_500 },
      home: { publishWindowMs: 2_500 },
    });
    const s = stack;
    await s.openHome('U_ADMIN');
    await s.openHome('U_OWNER');
    await s.waitFor('both Homes', () => s.slack.homeView('U_ADMIN') && s.slack.homeView('U_OWNER'));

    // A burst: ten openings at once, then a whole run (queued, running, finished) right behind them.
    await Promise.all(Array.from({ length: 10 }, () => s.openHome('U_ADMIN')));
    await s.startMigration('U_ADMIN', { title: 'Burst' });
    await s.waitForRecord();
    for (const user of ['U_ADMIN', 'U_OWNER'])
      await s.waitFor(`${user}'s Home to show the finished run`, () =>
        homeText(s, user).includes(':white_check_mark: completed') ? true : undefined,
      );
    // Settled: no refresh is pending and no slot is held, so no further publish can come from the burst.
    await s.waitFor('the throttle to settle', async () => {
      const keys = await s.redis.keys(`${s.prefix}:home:{pending,throttle}:*`);
      return keys.length === 0 ? true : undefined;
    });

    const publishes = s.slack.calls('views.publish');
    // The stand-in answers 429 to a publish too soon after the last one: none was.
    expect(publishes.filter((call) => call.status === 429)).toEqual([]);
    expect(publishes.every((call) => call.ok)).toBe(true);
    for (const user of ['U_ADMIN', 'U_OWNER']) {
      const times = publishes.filter((call) => call.args.user_id === user).map((call) => call.at);
      for (let i = 1; i < times.length; i++)
        expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1_500);
      // Twelve-odd requests for U_ADMIN (ten openings, queued, running, finished) became far fewer publishes.
      expect(times.length).toBeLessThan(10);
    }
    expect(homeText(s, 'U_ADMIN')).toContain('*Burst*');
  });

  it('re-uploads a report into its thread from the Home button for an admin, and refuses anyone else', async () => {
    stack = await startStack({ accounts: 25 });
    const s = stack;
    await s.startMigration('U_ADMIN');
    const record = await s.waitForRecord();
    const id = record.request.migrationId;
    const threadTs = record.request.slack?.threadTs;
    await s.waitFor('the report in the thread', () => s.slack.files('C_GENERAL', threadTs)[0]);

    await s.openHome('U_ADMIN');
    await s.waitFor('the admin Home', () => s.slack.homeView('U_ADMIN'));
    // A member clicks the button (a forged click, or a Home published before they lost the role).
    await s.openHome('U_MEMBER');
    await s.waitFor('the member Home', () => s.slack.homeView('U_MEMBER'));
    const memberHome = s.slack.homeView('U_MEMBER');
    if (!memberHome) throw new Error('no member Home');
    await s.clickHome('U_MEMBER', { actionId: 'migrate_home_report', value: id });
    const refused = await s.waitFor('the refusal on the member Home', () => {
      const text = homeText(s, 'U_MEMBER');
      return text.includes('Only verified admins can re-upload reports') ? text : undefined;
    });
    expect(refused).not.toContain(id);
    expect(s.audits().at(-1)).toMatchObject({
      who: 'U_MEMBER',
      what: 'button.home_report',
      outcome: 'refused',
    });

    await s.clickHome('U_ADMIN', { actionId: 'migrate_home_report', value: id });
    await s.waitFor('the answer on the admin Home', () =>
      homeText(s, 'U_ADMIN').includes(`The report of migration ${id} will be uploaded into its thread`)
        ? true
        : undefined,
    );
    expect(s.audits().at(-1)).toMatchObject({
      who: 'U_ADMIN',
      what: 'button.home_report',
      outcome: 'allowed',
    });
    const files = await s.waitFor('the re-uploaded report', () => {
      const shared = s.slack.files('C_GENERAL', threadTs);
      return shared.length >= 2 ? shared : undefined;
    });
    expect(files.map((file) => file.name)).toEqual([
      `migration-report-${id}.csv`,
      `migration-report-${id}.csv`,
    ]);
    // The member's click uploaded nothing: one upload for the run, one for the admin.
    expect(s.slack.files('C_GENERAL', threadTs)).toHaveLength(2);
  });

  it('a Slack that refuses or stalls every Home publish neither breaks nor holds up a run', async () => {
    stack = await startStack({ accounts: 20 });
    const s = stack;
    await s.openHome('U_ADMIN');
    await s.waitFor('the first Home', () => s.slack.homeView('U_ADMIN'));
    // From now on every views.publish waits 4 s and then fails.
    s.slack.setLatency('views.publish', 4_000);
    s.slack.failNext({ method: 'views.publish', kind: 'error', error: 'internal_error', times: 1_000 });

    await s.startMigration('U_ADMIN', { title: 'Despite the Home' });
    const record = await s.waitForRecord();
    expect(record.status).toBe('completed');
    const threadTs = record.request.slack?.threadTs;
    await s.waitFor('the report in the thread', () => s.slack.files('C_GENERAL', threadTs)[0]);
    await s.waitFor('a failed Home publish, logged as dropped', () =>
      s.logLines.find((line) => line.dropped === true && String(line.message).startsWith('App Home')),
    );
    // The Home still shows what it showed before: nothing the failing Slack accepted.
    expect(homeText(s, 'U_ADMIN')).toContain('No migrations yet');
  });
});
