import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadEnv } from '../../src/config/env.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-very-secret-token', SLACK_SIGNING_SECRET: 'signing-secret-value' };

describe('MIGRATE_APPROVAL_ENVIRONMENTS', () => {
  it('defaults to Production when unset', () => {
    expect(loadEnv(base, 'all').approvalEnvironments).toEqual(['Production']);
  });

  it('turns approval off when empty (unlike other variables, empty is not "unset")', () => {
    expect(loadEnv({ ...base, MIGRATE_APPROVAL_ENVIRONMENTS: '' }, 'all').approvalEnvironments).toEqual([]);
    expect(loadEnv({ ...base, MIGRATE_APPROVAL_ENVIRONMENTS: ' , ' }, 'all').approvalEnvironments).toEqual(
      [],
    );
  });

  it('reads a comma-separated list of tags', () => {
    const env = loadEnv({ ...base, MIGRATE_APPROVAL_ENVIRONMENTS: ' Staging ,Production,Staging' }, 'worker');
    expect(env.approvalEnvironments).toEqual(['Staging', 'Production']);
  });

  it.each(['production', 'Prod', 'Production;Staging', 'Development,QA'])(
    'refuses %j at start-up, naming the variable',
    (value) => {
      let error: unknown;
      try {
        loadEnv({ ...base, MIGRATE_APPROVAL_ENVIRONMENTS: value }, 'all');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(
        /^MIGRATE_APPROVAL_ENVIRONMENTS must list environment tags among Development, Staging, Production/,
      );
    },
  );
});
