import { describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../src/migration/account.js';
import {
  grantPreference,
  resultFromError,
  resultFromGrant,
  skipReason,
} from '../../src/migration/outcome.js';
import { isPersonalMicrosoft, providerFamily } from '../../src/migration/providers.js';
import { migrationOptionsSchema } from '../../src/migration/request.js';
import { NylasError } from '../../src/nylas/errors.js';

const account = (over: Partial<AccountRecord> = {}): AccountRecord => ({
  id: 'a1',
  email: 'ann@example.com',
  provider: 'gmail',
  syncState: 'running',
  billingState: 'paid',
  ...over,
});
const defaults = migrationOptionsSchema.parse({});
const apiError = (status: number, type: string, message: string) =>
  new NylasError({
    kind: 'api',
    type,
    message,
    status,
    retryable: status === 429 || status >= 500,
    ambiguous: status >= 500,
    attempts: 1,
    method: 'POST',
    path: '/x',
  });

describe('per-account outcome rules', () => {
  it('skips cancelled and deleted billing by default, and providers not chosen', () => {
    expect(skipReason(account({ billingState: 'cancelled' }), defaults)).toBe('billing state is cancelled');
    expect(skipReason(account({ billingState: 'deleted' }), defaults)).toBe('billing state is deleted');
    expect(
      skipReason(account({ billingState: 'cancelled' }), { ...defaults, skipInactiveBilling: false }),
    ).toBeUndefined();
    expect(skipReason(account({ provider: 'yahoo' }), { ...defaults, providers: ['google'] })).toBe(
      'provider not selected',
    );
    expect(skipReason(account(), { ...defaults, providers: ['google'] })).toBeUndefined();
  });

  it('maps grants to migrated and placeholder, with what the user must do', () => {
    expect(resultFromGrant({ id: 'g', provider: 'google', grant_status: 'valid' }, account(), 1)).toEqual({
      status: 'migrated',
      grantId: 'g',
      grantStatus: 'valid',
      at: 1,
    });
    const placeholder = resultFromGrant(
      { id: 'g', provider: 'microsoft', grant_status: 'invalid' },
      account({ provider: 'eas', email: 'bo@hotmail.com' }),
      1,
    );
    expect(placeholder).toMatchObject({ status: 'placeholder', grantStatus: 'invalid' });
    expect(placeholder.actionRequired).toMatch(/personal Microsoft/);
    expect(
      resultFromGrant(
        { id: 'g', provider: 'imap', grant_status: 'invalid' },
        account({ provider: 'imap', syncState: 'stopped' }),
        1,
      ).actionRequired,
    ).toMatch(/was stopped/);
  });

  it('v2 sync states partial and invalid: partial is healthy, invalid needs a new sign-in', () => {
    const invalidGrant = { id: 'g', provider: 'imap', grant_status: 'invalid' };
    expect(
      resultFromGrant(invalidGrant, account({ provider: 'imap', syncState: 'invalid' }), 1).actionRequired,
    ).toBe('User must authenticate again on v3: the v2 account’s credentials were invalid');
    // A partial account was still syncing: no "was partial" excuse is made up for its placeholder.
    expect(
      resultFromGrant(invalidGrant, account({ provider: 'imap', syncState: 'partial' }), 1).actionRequired,
    ).toBe('User must authenticate again on v3');
    const refused = apiError(400, 'invalid_request_error', 'account is not running');
    expect(resultFromError(refused, account({ syncState: 'partial' }), 1).actionRequired).toBe(
      'Check the error with Nylas, then use Retry failed',
    );
    expect(resultFromError(refused, account({ syncState: 'invalid' }), 1).actionRequired).toBe(
      'User must authenticate again on v3: the v2 account’s credentials were invalid (placeholders were off)',
    );
  });

  it('grant statuses beyond valid/invalid: missing, blocked, unknown (kept verbatim)', () => {
    const missing = resultFromGrant({ id: 'g1', provider: 'google' }, account(), 1);
    expect(missing).toEqual({
      status: 'migrated',
      grantId: 'g1',
      actionRequired: 'Nylas did not say whether this grant is valid: check it in the Nylas Dashboard',
      at: 1,
    });
    expect(missing.grantStatus).toBeUndefined();
    expect(resultFromGrant({ id: 'g2', grant_status: 'blocked' }, account(), 1)).toEqual({
      status: 'placeholder',
      grantId: 'g2',
      grantStatus: 'blocked',
      actionRequired:
        'The grant is blocked at Nylas: ask Nylas support why; the user cannot use it until then',
      at: 1,
    });
    expect(resultFromGrant({ id: 'g3', grant_status: 'on_hold' }, account(), 1, true)).toEqual({
      status: 'placeholder',
      grantId: 'g3',
      grantStatus: 'on_hold',
      errorMessage: 'grant_status "on_hold"',
      actionRequired:
        'Nylas gave a grant status this bot does not know: check the grant in the Nylas Dashboard',
      existingGrant: true,
      at: 1,
    });
    const ranked = [
      { grant_status: 'invalid' },
      { grant_status: 'blocked' },
      {},
      { grant_status: 'valid' },
    ].sort((a, b) => grantPreference(a) - grantPreference(b));
    expect(ranked.map((g) => g.grant_status)).toEqual(['valid', undefined, 'blocked', 'invalid']);
  });

  it('records Nylas’s type and message on failures, and a fitting action', () => {
    const noConnector = resultFromError(
      apiError(400, 'invalid_request_error', 'no connector found for provider yahoo'),
      account({ provider: 'yahoo' }),
      1,
    );
    expect(noConnector).toMatchObject({
      status: 'failed',
      errorType: 'invalid_request_error',
      errorMessage: 'no connector found for provider yahoo',
    });
    expect(noConnector.actionRequired).toMatch(/Create the Yahoo connector/);
    const timeout = new NylasError({
      kind: 'timeout',
      type: 'timeout',
      message: 'no answer',
      retryable: true,
      ambiguous: true,
      attempts: 4,
      method: 'POST',
      path: '/x',
    });
    expect(resultFromError(timeout, account(), 1)).toMatchObject({
      errorType: 'timeout',
      actionRequired: 'Transient error: use Retry failed',
    });
    expect(
      resultFromError(
        apiError(400, 'invalid_request_error', 'v2 account has been deleted'),
        account({ billingState: 'deleted' }),
        1,
      ).actionRequired,
    ).toBe('None: the v2 account was deleted');
  });

  it('knows provider families and personal Microsoft accounts', () => {
    expect(
      ['gmail', 'graph', 'office365', 'eas', 'hotmail', 'imap', 'aol', 'icloud', 'yahoo', 'nylas'].map(
        providerFamily,
      ),
    ).toEqual([
      'google',
      'microsoft',
      'microsoft',
      'microsoft',
      'microsoft',
      'imap',
      'imap',
      'icloud',
      'yahoo',
      'other',
    ]);
    expect(isPersonalMicrosoft({ provider: 'eas', email: 'x@outlook.com' })).toBe(true);
    expect(isPersonalMicrosoft({ provider: 'eas', email: 'x@acme.com' })).toBe(false);
    expect(isPersonalMicrosoft({ provider: 'hotmail', email: 'x@acme.com' })).toBe(true);
    expect(isPersonalMicrosoft({ provider: 'gmail', email: 'x@live.com' })).toBe(false);
  });
});
