/**
 * v2 webhook triggers → the v3 notification triggers that replace them (trigger names as in the v3
 * OpenAPI's `trigger_types` enum; a test checks each against reference/nylas-v3-openapi.yml).
 * `undefined`: v3 has no equivalent; `note` says what to do instead.
 */
export interface TriggerMapping {
  v3: string | undefined;
  note?: string;
}

const SAME = (name: string): TriggerMapping => ({ v3: name });

const MAPPINGS: Record<string, TriggerMapping> = {
  'account.connected': { v3: 'grant.created' },
  'account.created': { v3: 'grant.created' },
  'account.invalid': { v3: 'grant.expired' },
  'account.running': { v3: undefined, note: 'watch grant.updated / grant.expired instead' },
  'account.stopped': { v3: undefined, note: 'watch grant.updated / grant.expired instead' },
  'account.sync_error': { v3: undefined, note: 'watch grant.expired instead' },
  'message.created': SAME('message.created'),
  'message.updated': SAME('message.updated'),
  'message.opened': SAME('message.opened'),
  'message.link_clicked': SAME('message.link_clicked'),
  'message.bounced': { v3: 'message.bounce_detected' },
  'thread.replied': SAME('thread.replied'),
  'contact.created': { v3: 'contact.updated', note: 'v3 has no contact.created' },
  'contact.updated': SAME('contact.updated'),
  'contact.deleted': SAME('contact.deleted'),
  'calendar.created': SAME('calendar.created'),
  'calendar.updated': SAME('calendar.updated'),
  'calendar.deleted': SAME('calendar.deleted'),
  'event.created': SAME('event.created'),
  'event.updated': SAME('event.updated'),
  'event.deleted': SAME('event.deleted'),
  'folder.created': SAME('folder.created'),
  'folder.updated': SAME('folder.updated'),
  'folder.deleted': SAME('folder.deleted'),
  'job.successful': { v3: undefined, note: 'scheduled sends report message.send_success' },
  'job.failed': { v3: undefined, note: 'scheduled sends report message.send_failed' },
  'job.delayed': { v3: undefined },
  'job.cancelled': { v3: undefined },
};

export function v3TriggerFor(v2Trigger: string): TriggerMapping {
  return MAPPINGS[v2Trigger] ?? { v3: undefined, note: 'unknown v2 trigger' };
}

/** Every v3 trigger this table may name (for the spec check). */
export function mappedV3Triggers(): string[] {
  return [...new Set(Object.values(MAPPINGS).flatMap((m) => (m.v3 ? [m.v3] : [])))];
}
