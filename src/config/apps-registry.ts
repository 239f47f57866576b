import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { Secret } from '../shared/secret.js';
import { ConfigError } from './config-error.js';
import { REGIONS, type Region } from './regions.js';

export interface V2App {
  readonly kind: 'v2';
  readonly id: string;
  readonly name: string;
  readonly region: Region;
  /** Overrides the region's v2 host (the Canada v2 data center, for instance). */
  readonly apiUrl: string | undefined;
  readonly clientSecret: Secret;
}

export interface V3App {
  readonly kind: 'v3';
  readonly id: string;
  readonly name: string;
  readonly region: Region;
  readonly apiKey: Secret;
}

/** The Nylas applications this bot may touch, with their secrets resolved. Read-only after load. */
export interface AppsRegistry {
  readonly v2Apps: readonly V2App[];
  readonly v3Apps: readonly V3App[];
  v2(id: string): V2App | undefined;
  v3(id: string): V3App | undefined;
}

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const appId = z.string().min(1).max(150, 'is too long (150 characters at most)');

const commonFields = {
  id: appId,
  name: z.string().min(1).max(75).optional(),
  region: z.enum(REGIONS, `must be one of ${REGIONS.join(', ')}`),
};

const v2Entry = z.strictObject({
  ...commonFields,
  api_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  client_secret: z.string().min(1).optional(),
  client_secret_env: envName.optional(),
});

const v3Entry = z.strictObject({
  ...commonFields,
  api_key: z.string().min(1).optional(),
  api_key_env: envName.optional(),
});

const registryFile = z.strictObject({
  v2_apps: z.array(v2Entry).default([]),
  v3_apps: z.array(v3Entry).default([]),
});

/**
 * Loads the apps registry (JSON or YAML; JSON is valid YAML). Every mistake — unreadable file, bad
 * field, unknown region, duplicate id, a secret given twice or not at all, an `_env` naming an unset
 * variable — throws {@link ConfigError} with one line naming the file and field. Secrets never
 * appear in messages.
 */
export async function loadAppsRegistry(path: string, env: NodeJS.ProcessEnv): Promise<AppsRegistry> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConfigError(`NYLAS_APPS_FILE ${path} ${reason}`);
  }
  return parseAppsRegistry(text, path, env);
}

/** Parses registry text; `source` names the file in messages. */
export function parseAppsRegistry(text: string, source: string, env: NodeJS.ProcessEnv): AppsRegistry {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new ConfigError(
      `NYLAS_APPS_FILE ${source} is not valid JSON or YAML${line ? ` (line ${line})` : ''}`,
    );
  }
  const parsed = registryFile.safeParse(document ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : 'top level';
    const message =
      issue?.code === 'unrecognized_keys'
        ? `has an unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`
        : (issue?.message ?? 'is invalid');
    throw new ConfigError(`NYLAS_APPS_FILE ${source}: ${field} ${message}`);
  }

  const resolveSecret = (
    where: string,
    value: string | undefined,
    variable: string | undefined,
    field: string,
  ) => {
    if (value !== undefined && variable !== undefined) {
      throw new ConfigError(
        `NYLAS_APPS_FILE ${source}: ${where} gives both ${field} and ${field}_env; keep one`,
      );
    }
    if (variable !== undefined) {
      const fromEnv = env[variable]?.trim();
      if (!fromEnv) {
        throw new ConfigError(
          `NYLAS_APPS_FILE ${source}: ${where}.${field}_env names ${variable}, which is not set`,
        );
      }
      return new Secret(fromEnv);
    }
    if (value === undefined) {
      throw new ConfigError(`NYLAS_APPS_FILE ${source}: ${where} needs ${field} or ${field}_env`);
    }
    return new Secret(value);
  };

  const assertUnique = (ids: string[], list: string) => {
    const seen = new Set<string>();
    ids.forEach((id, index) => {
      if (seen.has(id))
        throw new ConfigError(`NYLAS_APPS_FILE ${source}: ${list}[${index}].id "${id}" is a duplicate`);
      seen.add(id);
    });
  };
  assertUnique(
    parsed.data.v2_apps.map((a) => a.id),
    'v2_apps',
  );
  assertUnique(
    parsed.data.v3_apps.map((a) => a.id),
    'v3_apps',
  );

  const v2Apps: V2App[] = parsed.data.v2_apps.map((entry, index) =>
    Object.freeze({
      kind: 'v2' as const,
      id: entry.id,
      name: entry.name ?? entry.id,
      region: entry.region,
      apiUrl: entry.api_url,
      clientSecret: resolveSecret(
        `v2_apps[${index}]`,
        entry.client_secret,
        entry.client_secret_env,
        'client_secret',
      ),
    }),
  );
  const v3Apps: V3App[] = parsed.data.v3_apps.map((entry, index) =>
    Object.freeze({
      kind: 'v3' as const,
      id: entry.id,
      name: entry.name ?? entry.id,
      region: entry.region,
      apiKey: resolveSecret(`v3_apps[${index}]`, entry.api_key, entry.api_key_env, 'api_key'),
    }),
  );
  if (v2Apps.length === 0 || v3Apps.length === 0) {
    throw new ConfigError(
      `NYLAS_APPS_FILE ${source}: needs at least one entry in v2_apps and one in v3_apps`,
    );
  }

  const v2ById = new Map(v2Apps.map((app) => [app.id, app]));
  const v3ById = new Map(v3Apps.map((app) => [app.id, app]));
  return Object.freeze({
    v2Apps: Object.freeze(v2Apps),
    v3Apps: Object.freeze(v3Apps),
    v2: (id: string) => v2ById.get(id),
    v3: (id: string) => v3ById.get(id),
  });
}
