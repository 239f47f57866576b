import type { V2App, V3App } from '../config/apps-registry.js';
import { type HostOverrides, hostsFor, type Region } from '../config/regions.js';
import { createHttpCore, type HttpCore, type HttpCoreOptions } from './http-core.js';
import { createMigrationClient, type MigrationClient } from './migration-client.js';
import { createV2Client, type V2Client } from './v2-client.js';
import { createV3Client, type V3Client } from './v3-client.js';

export type HttpSettings = Omit<HttpCoreOptions, 'baseUrl'>;

export interface NylasClientFactory {
  v2(app: V2App): V2Client;
  v3(app: V3App): V3Client;
  /** Migration API client whose every attempt first waits for `gate` (the app's shared rate budget). */
  migration(app: V3App, gate: (signal?: AbortSignal) => Promise<void>): MigrationClient;
}

/**
 * Builds Nylas clients for registered apps, pointed at each region's host (env overrides win; a v2
 * app's own `api_url` wins over both). One HTTP core per host, shared by every client of that host.
 */
export function createNylasClientFactory(options: {
  hosts?: Readonly<Record<Region, HostOverrides>>;
  http?: HttpSettings;
}): NylasClientFactory {
  const cores = new Map<string, HttpCore>();
  const core = (baseUrl: string) => {
    let existing = cores.get(baseUrl);
    if (!existing) {
      existing = createHttpCore({ ...options.http, baseUrl });
      cores.set(baseUrl, existing);
    }
    return existing;
  };
  const v3Host = (app: V3App) => hostsFor(app.region, options.hosts).v3;
  return {
    v2: (app) =>
      createV2Client({
        http: core(app.apiUrl ?? hostsFor(app.region, options.hosts).v2),
        clientId: app.id,
        clientSecret: app.clientSecret,
      }),
    v3: (app) => createV3Client({ http: core(v3Host(app)), apiKey: app.apiKey }),
    migration: (app, gate) => createMigrationClient({ http: core(v3Host(app)), apiKey: app.apiKey, gate }),
  };
}
