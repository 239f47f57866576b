import type { NylasError } from '../nylas/errors.js';
import type { Grant } from '../nylas/schemas/v3.js';
import type { AccountRecord, AccountResult } from './account.js';
import { isPersonalMicrosoft, PROVIDER_FAMILY_LABELS, providerFamily } from './providers.js';
import type { MigrationOptions } from './request.js';

const INACTIVE_BILLING = new Set(['cancelled', 'deleted']);

/** Why an account is not cloned at all, or undefined when it should be. */
export function skipReason(account: AccountRecord, options: MigrationOptions): string | undefined {
  if (options.skipInactiveBilling && INACTIVE_BILLING.has(account.billingState)) {
    return `billing state is ${account.billingState}`;
  }
  if (options.providers && !options.providers.includes(providerFamily(account.provider))) {
    return 'provider not selected';
  }
  return undefined;
}

export function skippedResult(reason: string, now: number): AccountResult {
  return { status: 'skipped', errorMessage: reason, at: now };
}

export function cancelledResult(reason: string, now: number): AccountResult {
  return {
    status: 'cancelled',
    errorMessage: reason,
    actionRequired: 'Use Retry failed to migrate it',
    at: now,
  };
}

/**
 * v2 sync states in which the account's credentials still worked: `partial` is an account still
 * syncing (some folders done), not a broken one. Anything else (stopped, invalid, exception…) may
 * explain a placeholder grant.
 */
const HEALTHY_SYNC_STATES = new Set(['running', 'partial']);

export function syncHealthy(syncState: string): boolean {
  return HEALTHY_SYNC_STATES.has(syncState);
}

function reauthenticateAction(account: AccountRecord): string {
  if (isPersonalMicrosoft(account)) {
    return 'User must sign in again on v3: personal Microsoft accounts on Exchange cannot be migrated';
  }
  if (account.syncState === 'invalid' || account.syncState === 'invalid-credentials') {
    return 'User must authenticate again on v3: the v2 account’s credentials were invalid';
  }
  if (!syncHealthy(account.syncState)) {
    return `User must authenticate again on v3: the v2 account was ${account.syncState}`;
  }
  return 'User must authenticate again on v3';
}

/**
 * How much a user would want to keep a grant: valid, then one whose status Nylas left out, then
 * blocked or unknown, then invalid (a placeholder). Lower is better.
 */
export function grantPreference(grant: Pick<Grant, 'grant_status'>): number {
  const status = grant.grant_status;
  if (status === 'valid') return 0;
  if (status === undefined || status === null) return 1;
  if (status === 'invalid') return 3;
  return 2;
}

/**
 * A grant — from a clone, or found already there — gives its row. `valid` → migrated; `invalid` → a
 * placeholder the user must re-authenticate; `blocked` → a grant nobody can use until Nylas lifts the
 * block; no status at all → migrated, but unconfirmed; any other status is kept verbatim, not guessed.
 */
export function resultFromGrant(
  grant: Grant,
  account: AccountRecord,
  now: number,
  existing = false,
): AccountResult {
  const base = {
    grantId: grant.id,
    ...(existing ? { existingGrant: true } : {}),
    at: now,
  };
  const status = grant.grant_status;
  if (status === 'valid') return { status: 'migrated', grantStatus: 'valid', ...base };
  if (status === undefined || status === null) {
    return {
      status: 'migrated',
      actionRequired: 'Nylas did not say whether this grant is valid: check it in the Nylas Dashboard',
      ...base,
    };
  }
  if (status === 'invalid') {
    return {
      status: 'placeholder',
      grantStatus: 'invalid',
      actionRequired: reauthenticateAction(account),
      ...base,
    };
  }
  if (status === 'blocked') {
    return {
      status: 'placeholder',
      grantStatus: 'blocked',
      actionRequired:
        'The grant is blocked at Nylas: ask Nylas support why; the user cannot use it until then',
      ...base,
    };
  }
  return {
    status: 'placeholder',
    grantStatus: status,
    errorMessage: `grant_status ${JSON.stringify(status)}`,
    actionRequired:
      'Nylas gave a grant status this bot does not know: check the grant in the Nylas Dashboard',
    ...base,
  };
}

/** A permanent (or exhausted) failure of one account, with what a person must do about it. */
export function resultFromError(error: NylasError, account: AccountRecord, now: number): AccountResult {
  return {
    status: 'failed',
    // Nylas's error.type when it answered; else `timeout` / `network_error` (the core's own types).
    errorType: error.type,
    errorMessage: error.message,
    actionRequired: actionForError(error, account),
    at: now,
  };
}

function actionForError(error: NylasError, account: AccountRecord): string {
  const family = providerFamily(account.provider);
  const message = error.message.toLowerCase();
  if (error.kind !== 'api' || error.retryable) return 'Transient error: use Retry failed';
  if (message.includes('connector')) {
    // A provider outside the form's families (v2 `nylas` virtual calendars, say): Nylas's message names it.
    if (family === 'other')
      return `Create the connector the error names (for ${account.provider} accounts) in the v3 app, then use Retry failed`;
    return `Create the ${PROVIDER_FAMILY_LABELS[family]} connector in the v3 app, then use Retry failed`;
  }
  if (account.billingState === 'deleted' || message.includes('deleted'))
    return 'None: the v2 account was deleted';
  if (family === 'microsoft' && (isPersonalMicrosoft(account) || !syncHealthy(account.syncState))) {
    return `${reauthenticateAction(account)} (placeholders were off)`;
  }
  if (!syncHealthy(account.syncState)) return `${reauthenticateAction(account)} (placeholders were off)`;
  if (error.type === 'provider_error')
    return 'Provider error: use Retry failed; if it fails again the user must authenticate again on v3';
  return 'Check the error with Nylas, then use Retry failed';
}
