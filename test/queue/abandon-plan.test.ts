import { describe, expect, it } from 'vitest';
import { migrationRequestSchema, newMigrationId } from '../../src/migration/request.js';
import { createMigrationJobRunner, type MigrationJobDeps } from '../../src/queue/migration-job.js';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

describe('abandoning a plan (stalled too often)', () => {
  it('ends it as a plan — failed, told through the plan notifier, no Retry failed, no reservation freed', async () => {
    const createdAt = Date.now();
    const request = migrationRequestSchema.parse({
      migrationId: newMigrationId(createdAt),
      createdAt,
      v2AppId: 'v2-app',
      v3AppId: 'v3-app',
      title: 'Acme on v3',
      environment: 'Production',
      requestedBy: 'U_ADMIN',
      options: {},
      mode: 'plan',
      slack: { channel: 'C_GENERAL', threadTs: '1.000' },
    });
    const calls: string[] = [];
    let status = 'running';
    const deps = {
      records: {
        get: async () => ({ request, status, stepsDone: [] }),
        setStatus: async (_id: string, next: string) => {
          status = next;
          calls.push(`status ${next}`);
        },
        release: async () => {
          calls.push('release');
        },
      },
      // A real run of the same apps holds the v2 app's lease: it says nothing about the plan.
      leases: { inspect: async () => ({ token: 7 }) },
      notifier: {
        event: async (_ref: unknown, event: { type: string }) => {
          calls.push(`event ${event.type}`);
        },
        plan: async (_ref: unknown, outcome: { kind: string; reason?: string }) => {
          calls.push(`plan ${outcome.kind}: ${outcome.reason}`);
        },
      },
      logger: silent,
    } as unknown as MigrationJobDeps;
    const runner = createMigrationJobRunner(deps);
    await runner.abandon(request, 'the run was interrupted too many times');
    expect(calls).toEqual(['status failed', 'plan failed: the run was interrupted too many times']);
  });
});
