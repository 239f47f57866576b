/**
 * Nylas may send optional fields as `null` rather than leave them out. Under that reading of the
 * simulator, preflight passes, settings are applied (no `null` written back), and the run completes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, V3_APP } from '../helpers/worker-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('null optional fields', () => {
  it('a v3 application full of nulls fails nothing: preflight, link, settings all go through', async () => {
    harness = await startHarness({ accounts: 20, sim: { readings: { absentFields: 'null' } } });
    const h = harness;
    const raw = await fetch(`${h.sim.url}/v3/applications`, {
      headers: { authorization: `Bearer ${V3_APP.apiKey}` },
    });
    const before = (await raw.json()) as { data: Record<string, unknown> };
    expect(before.data.v2_application_id).toBeNull();
    expect(before.data.hosted_authentication).toBeNull();

    h.startWorker();
    const request = await h.start();
    expect((await h.waitFor(request.migrationId)).status).toBe('completed');
    const events = h.recorder.eventsOf(request.migrationId);
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
    expect(events.find((e) => e.type === 'step_done' && e.step === 'settings')).toBeDefined();
    const branding = h.sim.application(V3_APP.applicationId).branding;
    expect(branding).toMatchObject({ name: 'Acme on v3', description: 'Moved by migrate-bot' });
    expect(Object.values(branding)).not.toContain(null);
  });
});
