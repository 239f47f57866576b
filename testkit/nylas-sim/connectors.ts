import { createRandom, hashSeed } from './random.js';
import type { SimConnector, V3Provider } from './types.js';

/**
 * Connectors that `import-v2-app` creates, in this order. Never yahoo: v2 Yahoo accounts need a new
 * Yahoo OAuth app on v3 (and the batch-clone providers list has no yahoo).
 */
export const IMPORTED_CONNECTOR_PROVIDERS: readonly V3Provider[] = [
  'google',
  'microsoft',
  'imap',
  'icloud',
  'ews',
];

/** The set `expectedOutcome` assumes: what a v3 app has right after `import-v2-app`. */
export const IMPORTED_CONNECTOR_SET: ReadonlySet<V3Provider> = new Set(IMPORTED_CONNECTOR_PROVIDERS);

/**
 * The connectors as imported from a v2 app: Google keeps the v2 integration's client id but gets
 * blank scopes; Microsoft is created but not configured (empty settings, no scopes); IMAP, iCloud
 * and EWS get default values.
 */
export function importedConnectors(v2ClientId: string): SimConnector[] {
  const random = createRandom(hashSeed(`google-client:${v2ClientId}`));
  const digits = Array.from({ length: 12 }, () => random.int(10)).join('');
  return [
    {
      name: 'Google',
      provider: 'google',
      settings: { client_id: `${digits}-${v2ClientId}.apps.googleusercontent.com` },
      scope: [],
    },
    { name: 'Microsoft', provider: 'microsoft', settings: {}, scope: [] },
    { name: 'IMAP', provider: 'imap', settings: {}, scope: [] },
    { name: 'iCloud', provider: 'icloud', settings: {}, scope: [] },
    { name: 'EWS', provider: 'ews', settings: {}, scope: ['ews.messages', 'ews.calendars', 'ews.contacts'] },
  ];
}
