/** The v3 application: PATCH semantics, import-v2-app's effects, linking rules, batch jobs. */
import { describe, expect, it } from 'vitest';
import {
  basicV2,
  link,
  linkAndImport,
  startSim,
  V2_ID,
  V2_SECRET,
  V3_ID,
  V3_KEY,
  v3,
} from './nylas-helpers.js';

const TWO_V2 = {
  v2Apps: [
    { clientId: V2_ID, clientSecret: V2_SECRET, accounts: 120, seed: 1, region: 'us' as const },
    { clientId: 'v2-other', clientSecret: 'other-secret', accounts: 10, seed: 2, region: 'us' as const },
    { clientId: 'v2-eu', clientSecret: 'eu-secret', accounts: 10, seed: 3, region: 'eu' as const },
  ],
};

describe('PATCH /v3/applications', () => {
  it('replaces branding whole: what the body leaves out is erased', async () => {
    const sim = await startSim();
    await linkAndImport(sim);
    const imported = sim.application(V3_ID);
    expect(imported.branding.icon_url).toMatch(/^https:\/\//);
    expect(imported.branding.website_url).toMatch(/^https:\/\//);

    const patched = await v3(sim, 'PATCH', '/v3/applications', {
      body: { branding: { name: 'Acme Mail', description: 'Migrated from v2' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.data.branding).toEqual({ name: 'Acme Mail', description: 'Migrated from v2' });
    expect(sim.application(V3_ID).branding).toEqual({ name: 'Acme Mail', description: 'Migrated from v2' });
    // What the body did not mention at the top level is kept.
    expect(sim.application(V3_ID).callback_uris).toEqual(imported.callback_uris);
    expect(sim.application(V3_ID).v2_application_id).toBe(V2_ID);

    // Read-modify-write keeps the import's values.
    const current = (await v3(sim, 'GET', '/v3/applications')).json.data;
    await v3(sim, 'PATCH', '/v3/applications', {
      body: { branding: { ...current.branding, icon_url: imported.branding.icon_url, name: 'Acme 2' } },
    });
    expect(sim.application(V3_ID).branding).toEqual({
      name: 'Acme 2',
      description: 'Migrated from v2',
      icon_url: imported.branding.icon_url,
    });
  });

  it('accepts production|staging and refuses any other environment with 400', async () => {
    const sim = await startSim();
    expect(sim.application(V3_ID).environment).toBe('production');
    const staging = await v3(sim, 'PATCH', '/v3/applications', { body: { environment: 'staging' } });
    expect(staging.status).toBe(200);
    expect(sim.application(V3_ID).environment).toBe('staging');
    for (const environment of ['development', 'Production', 3]) {
      const bad = await v3(sim, 'PATCH', '/v3/applications', { body: { environment } });
      expect(bad.status).toBe(400);
      expect(bad.json.error.type).toBe('invalid_request_error');
    }
    expect(sim.application(V3_ID).environment).toBe('staging');
    const garbage = await fetch(`${sim.url}/v3/applications`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${V3_KEY}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(garbage.status).toBe(400);
  });
});

describe('import-v2-app', () => {
  it('needs a link first', async () => {
    const sim = await startSim();
    const result = await v3(sim, 'POST', '/v3/migration-tools/import-v2-app');
    expect(result.status).toBe(400);
    expect(result.json.error).toEqual({
      type: 'invalid_request_error',
      message: 'application is not linked to a v2 application',
    });
  });

  it('sets icon and website URL, callback URIs and the connectors (Google blank scopes, Microsoft empty, no Yahoo)', async () => {
    const sim = await startSim({
      v2Apps: [
        {
          clientId: V2_ID,
          clientSecret: V2_SECRET,
          accounts: 5,
          redirectUris: ['https://acme.example/a', 'https://acme.example/b'],
        },
      ],
    });
    await v3(sim, 'PATCH', '/v3/applications', {
      body: { branding: { name: 'Kept', description: 'Kept too' } },
    });
    await link(sim);
    const result = await v3(sim, 'POST', '/v3/migration-tools/import-v2-app');
    expect(result.status).toBe(200);
    expect(typeof result.json.data).toBe('string');

    const app = (await v3(sim, 'GET', '/v3/applications')).json.data;
    expect(app.branding).toMatchObject({ name: 'Kept', description: 'Kept too' });
    const v2App = (await (await fetchV2App(sim.url)).json()) as { icon_url: string };
    expect(app.branding.icon_url).toBe(v2App.icon_url);
    expect(app.branding.website_url).toMatch(/^https:\/\//);
    expect(app.callback_uris.map((c: { url: string; platform: string }) => [c.url, c.platform])).toEqual([
      ['https://acme.example/a', 'web'],
      ['https://acme.example/b', 'web'],
    ]);

    const connectors = (await v3(sim, 'GET', '/v3/connectors')).json.data;
    expect(connectors.map((c: { provider: string }) => c.provider)).toEqual([
      'google',
      'microsoft',
      'imap',
      'icloud',
      'ews',
    ]);
    const google = connectors[0];
    expect(google.scope).toEqual([]);
    expect(google.settings.client_id).toMatch(/\.apps\.googleusercontent\.com$/);
    expect(connectors[1]).toEqual({ name: 'Microsoft', provider: 'microsoft', settings: {}, scope: [] });

    // Paging the connectors list.
    const page = await v3(sim, 'GET', '/v3/connectors?limit=2&offset=2');
    expect(page.json.data.map((c: { provider: string }) => c.provider)).toEqual(['imap', 'icloud']);
    expect(page.json).toMatchObject({ limit: 2, offset: 2 });

    // Re-running the import does not duplicate anything.
    await v3(sim, 'POST', '/v3/migration-tools/import-v2-app');
    expect((await v3(sim, 'GET', '/v3/connectors')).json.data).toHaveLength(5);
    expect(sim.application(V3_ID).callback_uris).toHaveLength(2);
  });
});

function fetchV2App(url: string): Promise<Response> {
  return fetch(`${url}/a/${V2_ID}`, {
    headers: { authorization: `Basic ${Buffer.from(`${V2_SECRET}:`).toString('base64')}` },
  });
}

describe('link-v2v3-apps', () => {
  it('links, is idempotent for the same v2 app, and refuses another v2 app', async () => {
    const sim = await startSim(TWO_V2);
    const first = await link(sim);
    expect(first.status).toBe(200);
    expect(first.json.data).toMatchObject({ application_id: V3_ID, v2_application_id: V2_ID });
    const again = await link(sim);
    expect(again.status).toBe(200);
    expect(again.json.data.v2_application_id).toBe(V2_ID);
    const conflict = await link(sim, V3_KEY, 'v2-other', 'other-secret');
    expect(conflict.status).toBe(400);
    expect(conflict.json.error.type).toBe('invalid_request_error');
    expect(sim.application(V3_ID).v2_application_id).toBe(V2_ID);
  });

  it('refuses a v2 app of another region (same-region imports only)', async () => {
    const sim = await startSim(TWO_V2);
    const result = await link(sim, V3_KEY, 'v2-eu', 'eu-secret');
    expect(result.status).toBe(400);
    expect(result.json.error.message).toContain('same-region');
    expect(sim.application(V3_ID).v2_application_id).toBeUndefined();
  });

  it('answers 400 for a missing or malformed BasicV2 and 401 for wrong v2 credentials', async () => {
    const sim = await startSim(TWO_V2);
    const path = '/v3/migration-tools/link-v2v3-apps';
    const missing = await v3(sim, 'POST', path);
    expect(missing.status).toBe(400);
    expect(missing.json.error.type).toBe('invalid_request_error');
    for (const header of [
      'not base64!',
      Buffer.from('no-colon').toString('base64'),
      `Basic ${basicV2(V2_ID, V2_SECRET)}`,
    ]) {
      const malformed = await v3(sim, 'POST', path, { headers: { BasicV2: header } });
      expect(malformed.status, header).toBe(400);
    }
    // The v2 auth order (secret first) is a classic mistake: id:secret is what BasicV2 wants.
    for (const header of [
      basicV2(V2_SECRET, V2_ID),
      basicV2(V2_ID, 'wrong'),
      basicV2('v2-unknown', V2_SECRET),
    ]) {
      const wrong = await v3(sim, 'POST', path, { headers: { BasicV2: header } });
      expect(wrong.status).toBe(401);
      expect(wrong.json).toEqual({
        request_id: expect.any(String),
        error: { type: 'unauthorized', message: expect.any(String) },
      });
    }
    const badKey = await link(sim, 'nyk_wrong');
    expect(badKey.status).toBe(401);
    expect(badKey.json.error.type).toBe('unauthorized');
    expect(sim.application(V3_ID).v2_application_id).toBeUndefined();
  });

  it('a v3 app configured as linked starts linked', async () => {
    const sim = await startSim({
      v3Apps: [{ applicationId: V3_ID, apiKey: V3_KEY, region: 'us', linkedV2AppId: V2_ID }],
    });
    expect((await v3(sim, 'GET', '/v3/applications')).json.data.v2_application_id).toBe(V2_ID);
  });
});

describe('snapshot-batch-clone and jobs', () => {
  it('runs a snapshot then a clone job that migrates the selected accounts and reports counts', async () => {
    const sim = await startSim({ ...TWO_V2, migrationRateLimit: 1000 });
    const unlinked = await v3(sim, 'POST', '/v3/migration-tools/snapshot-batch-clone', { body: {} });
    expect(unlinked.status).toBe(400);
    await linkAndImport(sim);
    const bad = await v3(sim, 'POST', '/v3/migration-tools/snapshot-batch-clone', {
      body: { mode: 'sometimes' },
    });
    expect(bad.status).toBe(400);

    const started = await v3(sim, 'POST', '/v3/migration-tools/snapshot-batch-clone?clone_exchange=false', {
      body: { providers: ['google'], mode: 'all', limit: 1000 },
    });
    expect(started.status).toBe(200);
    const { snapshot_job: snapshot, clone_job: cloneJob } = started.json.data;
    expect(snapshot).toMatchObject({
      type: 'snapshot',
      public_application_id: V3_ID,
      linked_job_id: cloneJob.job_id,
    });
    expect(cloneJob).toMatchObject({ type: 'migration', status: 'pending', linked_job_id: snapshot.job_id });

    // Poll the jobs endpoint like a client would until the clone job has finished.
    let finished:
      | {
          status: string;
          count_all: number;
          count_success: number;
          count_failed: number;
          count_warning: number;
        }
      | undefined;
    for (let i = 0; i < 100 && finished === undefined; i++) {
      const jobs = (
        await v3(sim, 'GET', '/v3/migration-tools/jobs?type=migration&status=completed,partial,failed')
      ).json.data;
      finished = jobs[0];
      if (finished === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const gmail = sim.accounts(V2_ID).filter((a) => a.provider === 'gmail');
    const expected = gmail.map((a) =>
      sim.expectedOutcome(V2_ID, a.id, { allowInvalidGrantCreation: true, cloneExchange: false }),
    );
    expect(finished).toMatchObject({
      count_all: gmail.length,
      count_success: expected.filter((e) => e.kind === 'valid_grant').length,
      count_warning: expected.filter((e) => e.kind === 'invalid_grant').length,
      count_failed: expected.filter((e) => e.kind === 'error').length,
    });
    expect(sim.grants(V3_ID).every((g) => g.provider === 'google')).toBe(true);
    expect(sim.grants(V3_ID)).toHaveLength(gmail.length - expected.filter((e) => e.kind === 'error').length);

    const sorted = (await v3(sim, 'GET', '/v3/migration-tools/jobs?sort_by_completion=true')).json.data;
    expect(sorted.map((j: { type: string; status: string }) => j.type)).toEqual(['migration', 'snapshot']);
    expect(sorted[1].status).toBe('completed');
    const badFilter = await v3(sim, 'GET', '/v3/migration-tools/jobs?status=done');
    expect(badFilter.status).toBe(400);
  });
});
