import type { Region } from '../../config/regions.js';
import type { V2Webhook } from '../../nylas/schemas/v2.js';
import type { Connector } from '../../nylas/schemas/v3.js';
import { connectorStatus } from '../checklist.js';
import { IMPORTED_CONNECTORS } from './connector-providers.js';
import type { WebhookRow } from './plan-report.js';
import { v3TriggerFor } from './webhooks.js';

/**
 * What a person must do about connectors before migrating: those the v3 app has or the import creates,
 * with what each still needs (checklist.ts, the same words as a run's follow-up), and those no import
 * brings that accounts need.
 */
export function connectorTodo(
  connectors: readonly Connector[],
  missing: ReadonlyMap<string, number>,
  region: Region,
): string[] {
  const lines: string[] = [];
  const present = new Set(connectors.map((c) => c.provider));
  for (const [name, accounts] of missing)
    lines.push(
      `${name}: create a ${name} connector in the v3 app (${accounts} ${accounts === 1 ? 'account needs' : 'accounts need'} it)`,
    );
  for (const connector of connectors) {
    const status = connectorStatus(connector, region);
    for (const need of status.needs) lines.push(`${status.name} (on v3 already): ${need}`);
  }
  for (const provider of IMPORTED_CONNECTORS) {
    if (present.has(provider)) continue;
    const status = connectorStatus({ provider, name: provider, settings: {}, scope: [] }, region);
    for (const need of status.needs) lines.push(`${provider} (created by the import): ${need}`);
  }
  return lines;
}

export function webhookRows(webhooks: readonly V2Webhook[]): WebhookRow[] {
  return webhooks.flatMap((webhook) =>
    webhook.triggers.map((trigger) => {
      const mapping = v3TriggerFor(trigger);
      return {
        callbackUrl: maskedCallbackUrl(webhook.callback_url),
        state: webhook.state,
        v2Trigger: trigger,
        v3Trigger: mapping.v3,
        ...(mapping.note ? { note: mapping.note } : {}),
      };
    }),
  );
}

/**
 * A callback URL often carries a secret in its path (Slack's /services/T…/B…/<token>, Zapier's
 * /hooks/catch/…/<key>) or its query, and sometimes credentials before the host: the thread shows only
 * where it points — scheme and host — and `/…` for the rest.
 */
export function maskedCallbackUrl(url: string): string {
  let origin: string | undefined;
  let rest = '';
  try {
    const parsed = new URL(url);
    origin = parsed.origin !== 'null' ? parsed.origin : undefined;
    rest = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  } catch {
    // Not a URL `new URL` reads: keep a scheme://host start if there is one, never what follows it.
    const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/?#@]*@)?([^/?#@]*)(.*)$/is.exec(url.trim());
    if (match) {
      origin = `${match[1]}${match[2]}`;
      rest = match[3] ?? '';
    }
  }
  if (!origin) return '(not a readable URL)';
  return rest && rest !== '/' ? `${origin}/…` : origin;
}
