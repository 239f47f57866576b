import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadAppsRegistry, parseAppsRegistry } from '../../src/config/apps-registry.js';
import { ConfigError } from '../../src/config/config-error.js';

const yamlFile = `
v2_apps:
  - id: acme-v2
    name: Acme (v2)
    region: us
    client_secret_env: ACME_V2_SECRET
  - id: acme-ca
    region: us
    api_url: https://canada.api.nylas.com
    client_secret: inline-v2-secret
v3_apps:
  - {id: acme-v3, name: Acme (v3), region: us, api_key: nyk_v0_inline_key}
  - {id: acme-eu, region: eu, api_key_env: ACME_EU_KEY}
`;
const env = { ACME_V2_SECRET: 'v2-secret-from-env', ACME_EU_KEY: 'nyk_v0_eu_from_env' };

async function messageOf(promiseOrFn: (() => unknown) | Promise<unknown>): Promise<string> {
  try {
    if (typeof promiseOrFn === 'function') promiseOrFn();
    else await promiseOrFn;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('apps registry', () => {
  it('loads YAML, resolving inline and _env secrets', () => {
    const registry = parseAppsRegistry(yamlFile, 'apps.yml', env);
    expect(registry.v2Apps.map((a) => a.id)).toEqual(['acme-v2', 'acme-ca']);
    expect(registry.v2('acme-v2')?.clientSecret.reveal()).toBe('v2-secret-from-env');
    expect(registry.v2('acme-v2')?.name).toBe('Acme (v2)');
    expect(registry.v2('acme-ca')?.name).toBe('acme-ca');
    expect(registry.v2('acme-ca')?.apiUrl).toBe('https://canada.api.nylas.com');
    expect(registry.v3('acme-v3')?.apiKey.reveal()).toBe('nyk_v0_inline_key');
    expect(registry.v3('acme-eu')?.region).toBe('eu');
    expect(registry.v3('nope')).toBeUndefined();
  });

  it('loads the JSON form of design.md from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'apps-'));
    const path = join(dir, 'apps.json');
    await writeFile(
      path,
      JSON.stringify({
        v2_apps: [
          { id: 'v2-client-id', name: 'Acme (v2)', region: 'us', client_secret_env: 'ACME_V2_SECRET' },
        ],
        v3_apps: [{ id: 'v3-application-id', name: 'Acme (v3)', region: 'us', api_key: 'nyk_v0_x' }],
      }),
    );
    const registry = await loadAppsRegistry(path, env);
    expect(registry.v3('v3-application-id')?.name).toBe('Acme (v3)');
  });

  it('never prints a resolved secret', () => {
    const registry = parseAppsRegistry(yamlFile, 'apps.yml', env);
    const printed = `${JSON.stringify(registry.v2Apps)} ${inspect(registry.v3Apps, { depth: 4 })}`;
    expect(printed).not.toMatch(/v2-secret-from-env|inline-v2-secret|nyk_v0/);
  });

  it('names a missing or unreadable file', async () => {
    expect(await messageOf(loadAppsRegistry('/nonexistent/apps.yml', env))).toBe(
      'NYLAS_APPS_FILE /nonexistent/apps.yml does not exist',
    );
    expect(await messageOf(loadAppsRegistry(tmpdir(), env))).toBe(
      `NYLAS_APPS_FILE ${tmpdir()} cannot be read`,
    );
  });

  it.each([
    ['not YAML', 'v2_apps: [\n  {id: x', /^NYLAS_APPS_FILE f\.yml is not valid JSON or YAML/],
    [
      'an unknown region',
      'v2_apps: [{id: a, region: ca, client_secret: s}]\nv3_apps: [{id: b, region: us, api_key: k}]',
      /^NYLAS_APPS_FILE f\.yml: v2_apps\[0\]\.region must be one of us, eu$/,
    ],
    [
      'a duplicate app id',
      'v2_apps: [{id: a, region: us, client_secret: s}, {id: a, region: eu, client_secret: t}]\nv3_apps: [{id: b, region: us, api_key: k}]',
      /^NYLAS_APPS_FILE f\.yml: v2_apps\[1\]\.id "a" is a duplicate$/,
    ],
    [
      'both secret forms',
      'v2_apps: [{id: a, region: us, client_secret: s, client_secret_env: ACME_V2_SECRET}]\nv3_apps: [{id: b, region: us, api_key: k}]',
      /^NYLAS_APPS_FILE f\.yml: v2_apps\[0\] gives both client_secret and client_secret_env; keep one$/,
    ],
    [
      'no secret',
      'v2_apps: [{id: a, region: us}]\nv3_apps: [{id: b, region: us, api_key: k}]',
      /^NYLAS_APPS_FILE f\.yml: v2_apps\[0\] needs client_secret or client_secret_env$/,
    ],
    [
      'an _env naming an unset variable',
      'v2_apps: [{id: a, region: us, client_secret: s}]\nv3_apps: [{id: b, region: us, api_key_env: NOT_SET_ANYWHERE}]',
      /^NYLAS_APPS_FILE f\.yml: v3_apps\[0\]\.api_key_env names NOT_SET_ANYWHERE, which is not set$/,
    ],
    [
      'an unknown field (a typo)',
      'v2_apps: [{id: a, region: us, client_secrte: s}]\nv3_apps: [{id: b, region: us, api_key: k}]',
      /^NYLAS_APPS_FILE f\.yml: v2_apps\[0\] has an unknown field "client_secrte"$/,
    ],
    ['no apps at all', 'v2_apps: []\nv3_apps: []', /needs at least one entry in v2_apps and one in v3_apps$/],
  ])('rejects %s with one line naming the file and field', async (_label, text, expected) => {
    expect(await messageOf(() => parseAppsRegistry(text, 'f.yml', env))).toMatch(expected);
  });

  it('does not echo an inline secret when the entry around it is wrong', async () => {
    const text =
      'v2_apps: [{id: a, region: mars, client_secret: topsecret-123}]\nv3_apps: [{id: b, region: us, api_key: k}]';
    expect(await messageOf(() => parseAppsRegistry(text, 'f.yml', env))).not.toContain('topsecret');
  });
});
