import { providerFamily } from '../providers.js';

/**
 * The v3 connector a v2 account's grant needs (the clone refuses an account whose provider has no
 * connector on the v3 app). Families map one to one; v2's `nylas` virtual calendars need the
 * `virtual-calendar` connector; any other provider is unknown here (undefined).
 */
export function v3ConnectorFor(v2Provider: string): string | undefined {
  const family = providerFamily(v2Provider);
  if (family !== 'other') return family;
  return v2Provider.toLowerCase() === 'nylas' ? 'virtual-calendar' : undefined;
}

/**
 * Connectors that `POST /v3/migration-tools/import-v2-app` creates from the v2 app's integrations
 * (nylas.md, "What needs a human after the run"): Google, Microsoft, IMAP, iCloud and EWS. Never Yahoo
 * (a new Yahoo OAuth app is needed on v3) nor virtual calendars.
 */
export const IMPORTED_CONNECTORS: readonly string[] = ['google', 'microsoft', 'imap', 'icloud', 'ews'];
