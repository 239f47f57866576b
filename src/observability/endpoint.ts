/**
 * A request path as a bounded label: the words of Nylas's routes stay, anything else (client ids,
 * grant ids, account ids) becomes `{id}`. Metrics then never carry ids, and their count stays fixed.
 */
const ROUTE_WORDS = new Set([
  'a',
  'account',
  'accounts',
  'applications',
  'clone',
  'connect',
  'connectors',
  'grants',
  'import-v2-app',
  'jobs',
  'link-v2v3-apps',
  'migration-tools',
  'oauth',
  'redirect-uris',
  'snapshot-batch-clone',
  'token',
  'v2',
  'v3',
  'webhooks',
]);

export function endpointOf(path: string): string {
  const bare = path.split('?')[0] ?? '';
  const segments = bare
    .split('/')
    .filter(Boolean)
    .map((s) => (ROUTE_WORDS.has(s) ? s : '{id}'));
  return `/${segments.join('/')}`;
}
