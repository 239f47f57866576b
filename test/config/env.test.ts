import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadEnv } from '../../src/config/env.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-very-secret-token', SLACK_SIGNING_SECRET: 'signing-secret-value' };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadEnv', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv(base, 'all');
    expect(env.slackApiUrl).toBe('https://slack.com/api/');
    expect(env.port).toBe(3000);
    expect(env.redisUrl.reveal()).toBe('redis://127.0.0.1:6379');
    expect(env.nylasAppsFile).toBe('./nylas-apps.yml');
    expect(env.nylasHosts.us).toEqual({ v2: undefined, v3: undefined });
    expect(env.allowedUsers).toBeUndefined();
    expect(env.logLevel).toBe('info');
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('reads every variable of the contract', () => {
    const env = loadEnv(
      {
        ...base,
        SLACK_APP_TOKEN: 'xapp-1-abc',
        SLACK_API_URL: 'http://127.0.0.1:9999/api/',
        PORT: '8080',
        REDIS_URL: 'redis://:pw@127.0.0.1:6380/2',
        NYLAS_APPS_FILE: '/etc/apps.json',
        NYLAS_V2_API_URL_US: 'http://127.0.0.1:4010',
        NYLAS_V2_API_URL_EU: 'http://127.0.0.1:4011',
        NYLAS_V3_API_URL_US: 'http://127.0.0.1:4012',
        NYLAS_V3_API_URL_EU: 'http://127.0.0.1:4013',
        MIGRATE_ALLOWED_USERS: 'U123, U456 ,',
        MIGRATE_ALLOWED_USERGROUP: 'S0001',
        SLACK_TEAM_ID: 'T0001',
        MIGRATE_CHANNEL: 'C0001',
        LOG_LEVEL: 'debug',
      },
      'all',
    );
    expect(env.slackAppToken?.reveal()).toBe('xapp-1-abc');
    expect(env.port).toBe(8080);
    expect(env.nylasHosts).toEqual({
      us: { v2: 'http://127.0.0.1:4010', v3: 'http://127.0.0.1:4012' },
      eu: { v2: 'http://127.0.0.1:4011', v3: 'http://127.0.0.1:4013' },
    });
    expect(env.allowedUsers).toEqual(['U123', 'U456']);
    expect(env.allowedUsergroup).toBe('S0001');
    expect(env.slackTeamId).toBe('T0001');
    expect(env.migrateChannel).toBe('C0001');
    expect(env.logLevel).toBe('debug');
  });

  it('treats empty strings as unset', () => {
    const env = loadEnv({ ...base, PORT: '', MIGRATE_CHANNEL: '  ' }, 'all');
    expect(env.port).toBe(3000);
    expect(env.migrateChannel).toBeUndefined();
  });

  it('names the missing bot token', () => {
    expect(errorOf(() => loadEnv({}, 'worker')).message).toBe(
      'SLACK_BOT_TOKEN is required (the bot token, xoxb-…)',
    );
  });

  it('requires the signing secret in HTTP mode only, and not for a worker', () => {
    expect(errorOf(() => loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1' }, 'bot')).message).toMatch(
      /^SLACK_SIGNING_SECRET is required/,
    );
    expect(() => loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, 'bot')).not.toThrow();
    expect(() => loadEnv({ SLACK_BOT_TOKEN: 'xoxb-1' }, 'worker')).not.toThrow();
  });

  it.each([
    ['PORT', 'abc', 'PORT must be a whole number (got "abc")'],
    ['PORT', '70000', 'PORT must be between 1 and 65535 (got "70000")'],
    ['SLACK_API_URL', 'http://127.0.0.1:9/', 'SLACK_API_URL must end in /api/ (got "http://127.0.0.1:9/")'],
    ['NYLAS_V3_API_URL_EU', 'ftp://x', 'NYLAS_V3_API_URL_EU must be an http(s) URL (got "ftp://x")'],
    ['MIGRATE_ALLOWED_USERS', 'alice', 'MIGRATE_ALLOWED_USERS must be a Slack user id (got "alice")'],
    ['MIGRATE_CHANNEL', '#general', 'MIGRATE_CHANNEL must be a Slack channel id (got "#general")'],
    [
      'LOG_LEVEL',
      'verbose',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
    ],
  ])('rejects a malformed %s with one line naming it', (name, value, message) => {
    const error = errorOf(() => loadEnv({ ...base, [name]: value }, 'all'));
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('\n');
  });

  it('takes a Redis Cluster as redis+cluster://host:port,host:port and names a bad seed without the password', () => {
    const url = 'redis+cluster://app:s3cret-pw@10.0.0.1:7000,10.0.0.2:7001';
    expect(loadEnv({ ...base, REDIS_URL: url }, 'all').redisUrl.reveal()).toBe(url);
    const error = errorOf(() =>
      loadEnv({ ...base, REDIS_URL: 'redis+cluster://app:s3cret-pw@10.0.0.1:7000,10.0.0.2:port' }, 'all'),
    );
    expect(error.message).toBe('REDIS_URL names a cluster node that is not host:port ("10.0.0.2:port")');
    expect(errorOf(() => loadEnv({ ...base, REDIS_URL: 'memcached://x' }, 'all')).message).toBe(
      'REDIS_URL must be a redis:// URL, or redis+cluster://host:port,host:port for a Redis Cluster',
    );
  });

  it('never echoes a secret value, even a malformed one', () => {
    const cases = [
      { SLACK_BOT_TOKEN: 'xoxp-user-token-secret' },
      { ...base, SLACK_APP_TOKEN: 'not-an-app-token-secret' },
      { ...base, REDIS_URL: 'http://user:hunter2-secret@host' },
    ];
    for (const source of cases) {
      const error = errorOf(() => loadEnv(source, 'all'));
      expect(error.message).not.toMatch(/secret|hunter2/);
    }
  });

  it('keeps secrets out of logs and JSON', () => {
    const env = loadEnv(base, 'all');
    const printed = `${JSON.stringify(env)} ${inspect(env, { depth: 5 })} ${String(env.slackBotToken)}`;
    expect(printed).not.toContain('very-secret');
    expect(printed).not.toContain('signing-secret-value');
    expect(printed).toContain('[secret]');
  });
});
