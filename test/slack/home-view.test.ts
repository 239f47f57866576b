import { describe, expect, it } from 'vitest';
import { parseAppsRegistry } from '../../src/config/apps-registry.js';
import { migrationRequestSchema } from '../../src/migration/request.js';
import { HOME_RUNS, homeRefusedView, homeView } from '../../src/slack/views/home-view.js';
import type { MigrationRecord } from '../../src/store/migration-records.js';
import { LOCAL_APPS, localRegistryYaml } from '../../testkit/local-stack.js';
import { validateHomeView, viewText } from '../../testkit/slack-sim/index.js';

const registry = parseAppsRegistry(localRegistryYaml(), 'home-view-test', {});

function record(index: number, fields: Partial<MigrationRecord> = {}): MigrationRecord {
  const createdAt = 1_790_000_000_000 + index * 1_000;
  return {
    request: migrationRequestSchema.parse({
      migrationId: `mig_test${String(index).padStart(17, '0')}`,
      v2AppId: LOCAL_APPS.v2.clientId,
      v3AppId: LOCAL_APPS.v3.applicationId,
      title: `Run ${index}`,
      environment: 'Production',
      options: {},
      requestedBy: 'U_ADMIN',
      slack: { channel: 'C_GENERAL', threadTs: `${1_790_000_000 + index}.000100` },
      createdAt,
    }),
    status: 'completed',
    stepsDone: [],
    ...fields,
  };
}

const overview = (records: MigrationRecord[]) => ({
  records,
  links: new Map(
    records.map((r) => [
      r.request.migrationId,
      `https://acme.slack.com/archives/C_GENERAL/p${r.request.createdAt}`,
    ]),
  ),
});

describe('the Home view', () => {
  it('shows the approval state: awaiting, approved by, rejected by, expired; and a requested cancel', () => {
    const view = homeView({
      registry,
      overview: overview([
        record(1, { status: 'awaiting_approval' }),
        record(2, {
          status: 'running',
          approval: { decision: 'approved', by: 'U_OWNER', at: 1 },
          cancelRequestedBy: 'U_PRIMARY',
        }),
        record(3, { status: 'cancelled', approval: { decision: 'rejected', by: 'U_OWNER', at: 2 } }),
        record(4, { status: 'cancelled', approval: { decision: 'expired', at: 3 } }),
      ]),
    });
    expect(validateHomeView(view)).toEqual([]);
    const text = viewText(view as never);
    expect(text).toContain(':raised_hand: awaiting approval');
    expect(text).toContain('approved by @U_OWNER');
    expect(text).toContain('(cancel requested by @U_PRIMARY)');
    expect(text).toContain('rejected by @U_OWNER');
    expect(text).toContain('approval expired');
    expect(text).toContain('*Running (2)*');
    expect(text).toContain('*Recent (2)*');
    // No report yet: no re-upload button.
    expect(JSON.stringify(view)).not.toContain('migrate_home_report');
  });

  it(`keeps to the ${HOME_RUNS} most recent runs and under Slack's 100 blocks, with text from people escaped`, () => {
    const many = Array.from({ length: 60 }, (_, index) =>
      record(index, {
        summary: { total: 3, counts: { migrated: 3 } } as never,
        request: { ...record(index).request, title: `<!channel> & ${index}` },
      }),
    );
    const view = homeView({ registry, overview: overview(many) });
    expect(validateHomeView(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = viewText(view as never);
    expect(text.match(/\[Re-upload report\]/g)).toHaveLength(HOME_RUNS);
    // Escaped for Slack (no @channel ping), read back as typed.
    expect(text).toContain('<!channel> & 0');
    expect(JSON.stringify(view)).not.toContain('<!channel>');
  });

  it('tells anyone else why they see nothing, with no run data', () => {
    const view = homeRefusedView('only workspace admins and owners can run migrations');
    expect(validateHomeView(view)).toEqual([]);
    expect(viewText(view as never)).toContain('verified workspace admins only');
  });
});
