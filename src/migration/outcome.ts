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

function reauthenticateAction(account: AccountRecord): string {
  if (isPersonalMicrosoft(account)) {
    return 'User must sign in again on v3: personal Microsoft accounts on Exchange cannot be migrated';
  }
  if (account.syncState !== 'running') {
    return `User must authenticate again on v3: the v2 account was ${account.syncState}`;
  }
  return 'User must authenticate again on v3';
}

/** A grant — from a clone, or found already there — gives `migrated` (valid) or `placeholder` (invalid). */
export function resultFromGrant(
  grant: Grant,
  account: AccountRecord,
  now: number,
  existing = false,
): AccountResult {
  const valid = grant.grant_status !== 'invalid';
  return {
    status: valid ? 'migrated' : 'placeholder',
    grantId: grant.id,
    grantStatus: grant.grant_status ?? 'valid',
    ...(valid ? {} : { actionRequired: reauthenticateAction(account) }),
    ...(existing ? { existingGrant: true } : {}),
    at: now,
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
    return `Create the ${PROVIDER_FAMILY_LABELS[family]} connector in the v3 app, then use Retry failed`;
  }
  if (account.billingState === 'deleted' || message.includes('deleted'))
    return 'None: the v2 account was deleted';
  if (family === 'microsoft' && (isPersonalMicrosoft(account) || account.syncState !== 'running')) {
    return `${reauthenticateAction(account)} (placeholders were off)`;
  }
  if (account.syncState !== 'running') return `${reauthenticateAction(account)} (placeholders were off)`;
  if (error.type === 'provider_error')
    return 'Provider error: use Retry failed; if it fails again the user must authenticate again on v3';
  return 'Check the error with Nylas, then use Retry failed';
}
