/**
 * The simulator's real v3 responses, validated against the official Nylas v3 OpenAPI document's own
 * response schemas (paths → responses → schema, with their `$ref`s into components).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  clone,
  findAccount,
  type HttpResult,
  link,
  linkAndImport,
  startSim,
  V3_ID,
  v3,
} from './nylas-helpers.js';

const SPEC_URL = new URL('../../reference/nylas-v3-openapi.yml', import.meta.url);
const SPEC_ID = 'https://spec.invalid/nylas-v3-openapi';

let ajv: Ajv2020;

beforeAll(() => {
  const spec = parse(readFileSync(SPEC_URL, 'utf8')) as { paths: unknown; components: unknown };
  ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  // One schema holding paths and components, so `#/components/schemas/...` refs resolve inside it.
  ajv.addSchema({ $id: SPEC_ID, paths: spec.paths, components: spec.components });
});

function pointer(...parts: string[]): string {
  return parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

function responseSchema(path: string, method: string, status: string): ValidateFunction {
  const ref = `${SPEC_ID}#/${pointer('paths', path, method, 'responses', status, 'content', 'application/json', 'schema')}`;
  const validate = ajv.getSchema(ref);
  if (validate === undefined) throw new Error(`no schema at ${ref}`);
  return validate;
}

function componentSchema(name: string): ValidateFunction {
  const validate = ajv.getSchema(`${SPEC_ID}#/components/schemas/${name}`);
  if (validate === undefined) throw new Error(`no component ${name}`);
  return validate;
}

function expectConforms(validate: ValidateFunction, value: unknown): void {
  const valid = validate(value);
  expect(valid ? [] : validate.errors, JSON.stringify(value)).toEqual([]);
}

/** Every v3 answer is an envelope whose request_id is also the x-request-id header. */
function expectEnvelope(result: HttpResult): void {
  expect(typeof result.json.request_id).toBe('string');
  expect(result.headers.get('x-request-id')).toBe(result.json.request_id);
}

describe('v3 responses conform to the OpenAPI spec', () => {
  it('the validators reject what the spec forbids (so a pass means something)', () => {
    const connector = componentSchema('ConnectorObject');
    expect(connector({ name: 'Google', provider: 'google', extra: true })).toBe(false);
    expect(connector({ name: 'Google', provider: 'gmail' })).toBe(false);
    const job = componentSchema('MigrationJob');
    expect(job({ job_id: 'x' })).toBe(false);
    const grant = responseSchema('/v3/grants', 'get', '200');
    expect(grant({ request_id: 'r', data: [{ id: 'g', provider: 'google', created_at: 1 }] })).toBe(false);
    expect(componentSchema('401')({ request_id: 'r', error: { type: 'x' }, extra: 1 })).toBe(false);
  });

  it('applications: GET, PATCH, link and the 401 answer', async () => {
    const sim = await startSim();
    const got = await v3(sim, 'GET', '/v3/applications');
    expect(got.status).toBe(200);
    expectEnvelope(got);
    expectConforms(responseSchema('/v3/applications', 'get', '200'), got.json);
    expect(got.json.data.application_id).toBe(V3_ID);
    expect(got.json.data.v2_application_id).toBeUndefined();

    const patched = await v3(sim, 'PATCH', '/v3/applications', {
      body: { environment: 'staging', branding: { name: 'Acme', description: 'Moved from v2' } },
    });
    expect(patched.status).toBe(200);
    expectEnvelope(patched);
    expect(patched.json.success).toBe(true);
    expectConforms(responseSchema('/v3/applications', 'patch', '200'), patched.json);

    const linked = await link(sim);
    expect(linked.status).toBe(200);
    expectEnvelope(linked);
    expectConforms(responseSchema('/v3/migration-tools/link-v2v3-apps', 'post', '200'), linked.json);
    expect(linked.json.data.v2_application_id).toBe('v2-acme');

    const imported = await v3(sim, 'POST', '/v3/migration-tools/import-v2-app');
    expect(imported.status).toBe(200);
    expectConforms(responseSchema('/v3/migration-tools/import-v2-app', 'post', '200'), imported.json);
    const after = await v3(sim, 'GET', '/v3/applications');
    expectConforms(responseSchema('/v3/applications', 'get', '200'), after.json);
    expect(after.json.data.callback_uris.length).toBeGreaterThan(0);

    const denied = await v3(sim, 'GET', '/v3/applications', { key: 'nyk_wrong' });
    expect(denied.status).toBe(401);
    expectEnvelope(denied);
    expectConforms(responseSchema('/v3/applications', 'get', '401'), denied.json);
  });

  it('connectors and grants lists, single clone (200 and 400), batch clone and jobs', async () => {
    const sim = await startSim({ migrationRateLimit: 1000 });
    const empty = await v3(sim, 'GET', '/v3/connectors');
    expect(empty.json.data).toEqual([]);
    expectConforms(responseSchema('/v3/connectors', 'get', '200'), empty.json);

    await linkAndImport(sim);
    const connectors = await v3(sim, 'GET', '/v3/connectors?limit=10&offset=0');
    expect(connectors.status).toBe(200);
    expectEnvelope(connectors);
    expectConforms(responseSchema('/v3/connectors', 'get', '200'), connectors.json);
    expect(connectors.json.data.length).toBe(5);

    const valid = findAccount(
      sim,
      (a) => sim.expectedOutcome('v2-acme', a.id, flagsOn).kind === 'valid_grant',
    );
    const placeholder = findAccount(
      sim,
      (a) => sim.expectedOutcome('v2-acme', a.id, flagsOn).kind === 'invalid_grant',
    );
    const refused = findAccount(sim, (a) => a.billing_state === 'deleted');
    const cloneSchema = responseSchema('/v3/migration-tools/grants/{account_id}/clone', 'post', '200');
    for (const account of [valid, placeholder]) {
      const cloned = await clone(sim, account.id);
      expect(cloned.status).toBe(200);
      expectEnvelope(cloned);
      expectConforms(cloneSchema, cloned.json);
    }
    const failed = await clone(sim, refused.id);
    expect(failed.status).toBe(400);
    expectEnvelope(failed);
    expectConforms(
      responseSchema('/v3/migration-tools/grants/{account_id}/clone', 'post', '400'),
      failed.json,
    );
    const unauthorised = await clone(sim, valid.id, {}, 'nyk_wrong');
    expect(unauthorised.status).toBe(401);
    expectConforms(
      responseSchema('/v3/migration-tools/grants/{account_id}/clone', 'post', '401'),
      unauthorised.json,
    );

    const grants = await v3(sim, 'GET', '/v3/grants?limit=5');
    expect(grants.status).toBe(200);
    expectEnvelope(grants);
    expectConforms(responseSchema('/v3/grants', 'get', '200'), grants.json);
    expect(grants.json.data.length).toBe(2);

    const batch = await v3(sim, 'POST', '/v3/migration-tools/snapshot-batch-clone', {
      body: { limit: 50, offset: 0, providers: ['google', 'imap'], mode: 'all' },
    });
    expect(batch.status).toBe(200);
    expectEnvelope(batch);
    expectConforms(responseSchema('/v3/migration-tools/snapshot-batch-clone', 'post', '200'), batch.json);

    const jobs = await v3(
      sim,
      'GET',
      '/v3/migration-tools/jobs?status=pending,running,completed,partial,failed',
    );
    expect(jobs.status).toBe(200);
    expectEnvelope(jobs);
    expectConforms(responseSchema('/v3/migration-tools/jobs', 'get', '200'), jobs.json);
    expect(jobs.json.data).toHaveLength(2);
  });

  it('unknown paths answer 404 in the v3 error shape', async () => {
    const sim = await startSim();
    const missing = await v3(sim, 'GET', '/v3/no-such-thing');
    expect(missing.status).toBe(404);
    expectEnvelope(missing);
    expectConforms(componentSchema('404'), missing.json);
    const outside = await fetch(`${sim.url}/favicon.ico`);
    expect(outside.status).toBe(404);
    expectConforms(componentSchema('404'), await outside.json());
  });
});

const flagsOn = { allowInvalidGrantCreation: true, cloneExchange: true };
