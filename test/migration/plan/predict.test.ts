import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPORTED_CONNECTORS } from '../../../src/migration/plan/connector-providers.js';
import { predictOutcome } from '../../../src/migration/plan/predict.js';
import { mappedV3Triggers, v3TriggerFor } from '../../../src/migration/plan/webhooks.js';
import { migrationOptionsSchema } from '../../../src/migration/request.js';
import { createHttpCore } from '../../../src/nylas/http-core.js';
import { createV2Client } from '../../../src/nylas/v2-client.js';
import { Secret } from '../../../src/shared/secret.js';
import { expectedStatus } from '../../helpers/expected-rows.js';
import { startSim, V2_ID, V2_SECRET } from '../../sim/nylas-helpers.js';

const record = (a: {
  id: string;
  email: string;
  provider: string;
  sync_state: string;
  billing_state: string;
}) => ({
  id: a.id,
  email: a.email,
  provider: a.provider,
  syncState: a.sync_state,
  billingState: a.billing_state,
});

describe('plan predictions', () => {
  it('give every account the status the simulator’s clone rules (after our skip rules) give it, for every choice of options', async () => {
    const sim = await startSim({
      v2Apps: [{ clientId: V2_ID, clientSecret: V2_SECRET, accounts: 2000, seed: 7, region: 'us' }],
    });
    const connectors = new Set(IMPORTED_CONNECTORS);
    const accounts = sim.accounts(V2_ID);
    let compared = 0;
    for (const placeholders of [true, false])
      for (const microsoftPlaceholders of [true, false])
        for (const skipInactiveBilling of [true, false]) {
          const options = migrationOptionsSchema.parse({
            placeholders,
            microsoftPlaceholders,
            skipInactiveBilling,
          });
          for (const account of accounts) {
            const predicted = predictOutcome(record(account), { options, connectors, now: 1 }).result.status;
            // The run retries a transient provider error, so a flaky account ends as its second attempt says.
            const actual = expectedStatus(sim, V2_ID, account, options, 2);
            expect({ id: account.id, provider: account.provider, predicted }).toEqual({
              id: account.id,
              provider: account.provider,
              predicted: actual,
            });
            compared++;
          }
        }
    expect(compared).toBe(16_000);
  });

  it('keep an account that already has a grant, and fail one whose provider has no connector', () => {
    const options = migrationOptionsSchema.parse({});
    const gmail = {
      id: 'a1',
      email: 'a@example.com',
      provider: 'gmail',
      syncState: 'running',
      billingState: 'paid',
    };
    const kept = predictOutcome(gmail, {
      options,
      connectors: new Set(['google']),
      existingGrant: { id: 'g1', grant_status: 'valid' },
      now: 1,
    });
    expect(kept).toMatchObject({ rule: 'existing', result: { status: 'migrated', grantId: 'g1' } });
    const none = predictOutcome(gmail, { options, connectors: new Set(['imap']), now: 1 });
    expect(none.rule).toBe('noConnector');
    expect(none.result).toMatchObject({ status: 'failed', errorType: 'invalid_request_error' });
    expect(none.result.actionRequired).toContain('Create the Google connector');
  });
});

describe('v2 webhooks on v3', () => {
  it('name only trigger types the v3 spec lists', () => {
    const spec = readFileSync(new URL('../../../reference/nylas-v3-openapi.yml', import.meta.url), 'utf8');
    const start = spec.indexOf('    trigger_types:\n      type: array');
    const enumBlock = spec.slice(start, spec.indexOf('\n    ', spec.indexOf('enum:', start) + 200) + 4000);
    for (const trigger of mappedV3Triggers()) expect(enumBlock).toContain(`- ${trigger}\n`);
    expect(v3TriggerFor('account.connected').v3).toBe('grant.created');
    expect(v3TriggerFor('account.sync_error').v3).toBeUndefined();
    expect(v3TriggerFor('something.new')).toEqual({ v3: undefined, note: 'unknown v2 trigger' });
  });

  it('are read from v2 with the client secret (Basic auth) and parsed', async () => {
    const sim = await startSim();
    const v2 = createV2Client({
      http: createHttpCore({ baseUrl: sim.url, timeoutMs: 2_000, maxAttempts: 1 }),
      clientId: V2_ID,
      clientSecret: new Secret(V2_SECRET),
    });
    const webhooks = await v2.listWebhooks();
    expect(webhooks).toHaveLength(3);
    expect(webhooks[0]?.triggers).toContain('account.connected');
    const wrong = createV2Client({
      http: createHttpCore({ baseUrl: sim.url, timeoutMs: 2_000, maxAttempts: 1 }),
      clientId: V2_ID,
      clientSecret: new Secret('wrong'),
    });
    await expect(wrong.listWebhooks()).rejects.toMatchObject({ status: 401 });
  });
});
