import { createRandom, hashSeed } from './random.js';

/** A v2 webhook as `GET /a/{client_id}/webhooks` answers it. */
export interface SimV2Webhook {
  id: string;
  application_id: string;
  callback_url: string;
  state: 'active' | 'inactive' | 'failed';
  triggers: string[];
  version: string;
}

/**
 * Every v2 app has the same three webhooks, ids seeded by its client id: a grant-lifecycle one, a
 * mail one (with a trigger v3 lacks) and a calendar/job one that is failing, so a plan always has
 * rows of each kind to show.
 */
export function seededWebhooks(clientId: string): SimV2Webhook[] {
  const random = createRandom(hashSeed(`webhooks:${clientId}`));
  const id = () =>
    Array.from({ length: 25 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[random.int(36)]).join('');
  return [
    {
      id: id(),
      application_id: clientId,
      callback_url: 'https://hooks.example.com/nylas/accounts',
      state: 'active',
      triggers: ['account.connected', 'account.invalid', 'account.running', 'account.stopped'],
      version: '2.0',
    },
    {
      id: id(),
      application_id: clientId,
      callback_url: 'https://hooks.example.com/nylas/mail?token=whsec-sim-0001',
      state: 'active',
      triggers: ['message.created', 'message.opened', 'thread.replied', 'contact.created'],
      version: '2.0',
    },
    {
      id: id(),
      application_id: clientId,
      callback_url: 'https://old.example.com/nylas/calendar',
      state: 'failed',
      triggers: ['event.created', 'event.updated', 'job.successful'],
      version: '2.0',
    },
  ];
}
