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
        callbackUrl: withoutQuery(webhook.callback_url),
        state: webhook.state,
        v2Trigger: trigger,
        v3Trigger: mapping.v3,
        ...(mapping.note ? { note: mapping.note } : {}),
      };
    }),
  );
}

/** A callback URL may carry a token in its query: the thread shows where it points, not that. */
function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.replace(/[?#].*$/, '');
  }
}
