import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** Slack's own manifest schema, kept in reference/ (see reference/README.md). */
const schemaUrl = new URL('../reference/slack-manifest.schema.1.0.0.json', import.meta.url);
const manifestUrl = new URL('../manifest.yml', import.meta.url);

const schema = JSON.parse(readFileSync(schemaUrl, 'utf8')) as Record<string, unknown>;
const manifestText = readFileSync(manifestUrl, 'utf8');

type Manifest = {
  display_information: { name: string; description?: string };
  features: {
    app_home?: { home_tab_enabled?: boolean; messages_tab_enabled?: boolean };
    bot_user: { display_name: string; always_online?: boolean };
    slash_commands: Array<{ command: string; usage_hint?: string; url?: string; should_escape?: boolean }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string; message_menu_options_url?: string };
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    socket_mode_enabled: boolean;
    org_deploy_enabled: boolean;
    token_rotation_enabled: boolean;
  };
};

const load = (): Manifest => parse(manifestText) as Manifest;

// The schema is draft-07 (ajv's default build); `strict: false` because Slack's schema uses keywords
// ajv does not know (e.g. `regex`). Its one `format` (uri, on `$schema`) is checked with URL.
const ajv = new Ajv({
  strict: false,
  allErrors: true,
  formats: { uri: (value: string) => URL.canParse(value) },
});
const validate = ajv.compile(schema);
const problems = () => ajv.errorsText(validate.errors, { separator: '\n' });

describe('manifest.yml', () => {
  it('is checked against a draft-07 schema', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it("validates against Slack's manifest schema", () => {
    const valid = validate(load());
    expect(valid, problems()).toBe(true);
  });

  it('asks for exactly the bot scopes the stand-in grants by default', () => {
    expect([...load().oauth_config.scopes.bot].sort()).toEqual(
      [
        'chat:write',
        'commands',
        'files:write',
        'usergroups:read',
        'users:read',
        'channels:read',
        'groups:read',
        'im:read',
        'mpim:read',
        'im:write',
      ].sort(),
    );
  });

  it('declares /migrate with a usage hint, posting to /slack/events', () => {
    const commands = load().features.slash_commands;
    expect(commands).toHaveLength(1);
    const [migrate] = commands;
    expect(migrate?.command).toBe('/migrate');
    expect(migrate?.usage_hint).toBe('[help | status | report <id>]');
    expect(migrate?.url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
    expect(migrate?.should_escape).toBe(false);
  });

  it('has interactivity on (the modal and the buttons) and HTTP mode', () => {
    const { settings, display_information, features } = load();
    expect(settings.interactivity.is_enabled).toBe(true);
    expect(settings.interactivity.request_url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
    // The form's external selects (more than 100 apps) load their options from the same endpoint.
    expect(settings.interactivity.message_menu_options_url).toBe(settings.interactivity.request_url);
    expect(settings.socket_mode_enabled).toBe(false);
    expect(settings.org_deploy_enabled).toBe(false);
    expect(settings.token_rotation_enabled).toBe(false);
    expect(display_information.name).toBe('migrate-bot');
    expect(features.bot_user).toEqual({ display_name: 'migrate-bot', always_online: true });
  });

  it('has the Home tab on and subscribes to app_home_opened on the same endpoint (HTTP mode)', () => {
    const { features, settings } = load();
    expect(features.app_home?.home_tab_enabled).toBe(true);
    // The report's DM fallback lands in the Messages tab, which must stay on.
    expect(features.app_home?.messages_tab_enabled).toBe(true);
    expect(settings.event_subscriptions?.bot_events).toEqual(['app_home_opened']);
    expect(settings.event_subscriptions?.request_url).toBe(settings.interactivity.request_url);
  });

  it('explains Socket Mode next to the switch', () => {
    expect(manifestText).toMatch(/#.*Socket Mode[\s\S]*SLACK_APP_TOKEN[\s\S]*socket_mode_enabled: false/);
  });

  describe('the schema check can fail', () => {
    it('without a required field', () => {
      const manifest = load() as Partial<Manifest>;
      delete manifest.display_information;
      expect(validate(manifest)).toBe(false);
      expect(problems()).toContain("must have required property 'display_information'");
    });

    it('with a required field of a slash command missing', () => {
      const manifest = load();
      const broken = {
        ...manifest,
        features: { ...manifest.features, slash_commands: [{ command: '/migrate' }] },
      };
      expect(validate(broken)).toBe(false);
      expect(problems()).toContain("must have required property 'description'");
    });

    it('with an unknown field', () => {
      const manifest = load();
      const broken = { ...manifest, settings: { ...manifest.settings, interactivty: { is_enabled: true } } };
      expect(validate(broken)).toBe(false);
      expect(problems()).toContain('must NOT have additional properties');
    });

    it('with an unknown App Home setting', () => {
      const manifest = load();
      const broken = { ...manifest, features: { ...manifest.features, app_home: { home_tab: true } } };
      expect(validate(broken)).toBe(false);
      expect(problems()).toContain('must NOT have additional properties');
    });

    it('with a value out of bounds', () => {
      const manifest = load();
      const broken = { ...manifest, display_information: { name: 'x'.repeat(36) } };
      expect(validate(broken)).toBe(false);
      expect(problems()).toContain('must NOT have more than 35 characters');
    });
  });
});
