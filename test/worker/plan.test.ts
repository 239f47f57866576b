import { afterEach, describe, expect, it } from 'vitest';
import { migrationRequestSchema, newMigrationId } from '../../src/migration/request.js';
import type { V2Client } from '../../src/nylas/v2-client.js';
import type { V3Client } from '../../src/nylas/v3-client.js';
import { gatedPlanClients } from '../../src/queue/plan-job.js';
import { type Harness, startHarness } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A plan as the Plan first button stores and queues it (no reservation). */
async function queuePlan(h: Harness, requestedBy = 'U_ADMIN') {
  const createdAt = Date.now();
  const request = migrationRequestSchema.parse({
    ...h.request({ requestedBy }),
    mode: 'plan',
    migrationId: newMigrationId(createdAt),
    createdAt,
  });
  await h.records.createPlan(request);
  await h.producer.enqueue(request);
  return request;
}

describe('a plan on the worker', () => {
  it('checks the requester again: a plan of someone no longer admin fails before reading any account', async () => {
    harness = await startHarness({
      accounts: 30,
      verifyAdmin: async () => ({ ok: false, reason: 'not an admin any more' }),
    });
    const h = harness;
    h.startWorker();
    const plan = await queuePlan(h, 'U_MEMBER');
    const record = await h.waitFor(plan.migrationId, ['failed']);
    expect(record.reason).toContain('is not allowed to run migrations: not an admin any more');
    const requests = h.sim.counters().requests;
    expect(requests['GET /a/:client_id/accounts'] ?? 0).toBe(0);
    expect(Object.keys(requests).filter((key) => !key.startsWith('GET '))).toEqual([]);
  });

  it('completes without reserving the apps, and a migration of the same apps starts meanwhile', async () => {
    harness = await startHarness({ accounts: 60 });
    const h = harness;
    const plan = await queuePlan(h);
    // Queued, not yet run: the apps are free for a real run.
    expect(await h.records.active('v2', plan.v2AppId)).toBeUndefined();
    const real = await h.start();
    h.startWorker();
    expect((await h.waitFor(plan.migrationId, ['completed'])).request.mode).toBe('plan');
    expect((await h.waitFor(real.migrationId, ['completed'])).status).toBe('completed');
  });
});

describe('the plan’s clients', () => {
  it('take a turn in the rate budget before every call and every account page, and offer no write', async () => {
    const calls: string[] = [];
    const gate = async () => {
      calls.push('gate');
    };
    const v2 = {
      getApplication: async () => {
        calls.push('v2 app');
        return {};
      },
      listWebhooks: async () => {
        calls.push('webhooks');
        return [];
      },
      async *accountPages() {
        calls.push('page 0');
        yield { offset: 0, accounts: [], last: false };
        calls.push('page 1');
        yield { offset: 100, accounts: [], last: true };
      },
    } as unknown as V2Client;
    const v3 = {
      getApplication: async () => {
        calls.push('v3 app');
        return { application_id: 'x' };
      },
      listConnectors: async () => {
        calls.push('connectors');
        return [];
      },
      listGrants: async () => {
        calls.push('grants');
        return { grants: [], limit: 200, offset: 0 };
      },
    } as unknown as V3Client;
    const clients = gatedPlanClients(v2, v3, gate);
    await clients.v2.getApplication();
    await clients.v2.listWebhooks();
    for await (const _page of clients.v2.accountPages()) calls.push('got page');
    await clients.v3.getApplication();
    await clients.v3.listConnectors();
    await clients.v3.listGrants({});
    expect(calls).toEqual([
      'gate',
      'v2 app',
      'gate',
      'webhooks',
      'gate',
      'page 0',
      'got page',
      'gate',
      'page 1',
      'got page',
      'gate',
      'gate',
      'v3 app',
      'gate',
      'connectors',
      'gate',
      'grants',
    ]);
    expect(Object.keys(clients.v3).sort()).toEqual(['getApplication', 'listConnectors', 'listGrants']);
  });
});
