import type { Region } from '../config/regions.js';
import { DEFAULT_HOSTS } from '../config/regions.js';
import type { Connector } from '../nylas/schemas/v3.js';

export interface ConnectorStatus {
  provider: string;
  name: string;
  /** What a person still has to do before this connector works on v3 (empty: nothing known). */
  needs: string[];
}

/** The v3 hosted-auth callback a provider's OAuth app must allow. */
export function v3CallbackUri(region: Region): string {
  return `${DEFAULT_HOSTS[region].v3}/v3/connect/callback`;
}

/**
 * What each imported connector still needs (nylas.md, "What needs a human after the run"): Google comes
 * over with blank scopes, Microsoft is created but not configured, IMAP/iCloud/EWS get defaults.
 */
export function connectorStatus(connector: Connector, region: Region): ConnectorStatus {
  const provider = connector.provider;
  const name = connector.name ?? provider;
  const settings = connector.settings ?? {};
  const scopes = connector.scope ?? [];
  const needs: string[] = [];
  switch (provider) {
    case 'google':
      if (scopes.length === 0) needs.push('set its scopes (imported blank)');
      needs.push(`add ${v3CallbackUri(region)} to the GCP project's redirect URIs`);
      break;
    case 'microsoft':
      if (!settings.client_id) {
        needs.push('create a new Azure app with Microsoft Graph scopes, then PATCH /v3/connectors/microsoft');
      }
      needs.push(`add ${v3CallbackUri(region)} to the Azure app's redirect URIs`);
      break;
    case 'imap':
    case 'icloud':
    case 'ews':
      needs.push('review the auto-generated defaults');
      break;
    default:
      break;
  }
  return { provider, name, needs };
}

/** The follow-up checklist posted at the end of a run. */
export function followUpChecklist(input: {
  connectors: readonly ConnectorStatus[];
  accountsByFamily: Readonly<Record<string, number>>;
  reauthenticateCount: number;
}): string[] {
  const items: string[] = [];
  for (const connector of input.connectors) {
    for (const need of connector.needs) items.push(`${connector.name}: ${need}`);
  }
  const hasConnector = (provider: string) => input.connectors.some((c) => c.provider === provider);
  if ((input.accountsByFamily.yahoo ?? 0) > 0 && !hasConnector('yahoo')) {
    items.push('Yahoo: not imported — create a Yahoo OAuth app and a yahoo connector, then use Retry failed');
  }
  if ((input.accountsByFamily.microsoft ?? 0) > 0) {
    items.push('Microsoft users not on Microsoft Graph must authenticate again on v3');
  }
  if (input.reauthenticateCount > 0) {
    items.push(
      `Ask the ${input.reauthenticateCount} users listed in the report (action_required) to authenticate again`,
    );
  }
  items.push(
    'Recreate webhooks on v3: account.created → grant.created, account.invalid → grant.expired (account.running/stopped/sync_error and job.* no longer exist)',
  );
  items.push(
    'v2 and v3 run side by side and are billed once: revoke the v2 accounts soon after checking v3 (IMAP servers dislike two sync engines on one mailbox)',
  );
  return items;
}
