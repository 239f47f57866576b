import { NylasError } from '../../nylas/errors.js';
import type { Grant } from '../../nylas/schemas/v3.js';
import type { AccountRecord, AccountResult } from '../account.js';
import { resultFromError, resultFromGrant, skippedResult, skipReason, syncHealthy } from '../outcome.js';
import { isPersonalMicrosoft, providerFamily } from '../providers.js';
import type { MigrationOptions } from '../request.js';
import { v3ConnectorFor } from './connector-providers.js';

/** Which rule decided a prediction: the plan message explains each one once. */
export const PREDICTION_RULES = {
  skipped: 'skipped by the form’s choices (billing state cancelled/deleted, or provider not selected)',
  existing: 'a grant for this account is already on the v3 app: the run keeps it, no clone',
  deleted: 'the v2 account was deleted: Nylas refuses its clone',
  noConnector: 'no v3 connector for its provider (after the import): Nylas refuses the clone',
  personalMicrosoft:
    'personal Microsoft account on Exchange: a placeholder with Microsoft placeholders on, else refused',
  microsoftNotRunning:
    'Microsoft account not running (sync state or billing): a placeholder with Microsoft placeholders on, else refused',
  notRunning: 'account not running (sync state or billing): a placeholder with placeholders on, else refused',
  migrate: 'running account with a connector: cloned into a valid grant',
} as const;
export type PredictionRule = keyof typeof PREDICTION_RULES;

export interface Prediction {
  result: AccountResult;
  rule: PredictionRule;
}

/** v2 providers that synced over Exchange (the personal-account rule is about those only). */
const EXCHANGE_PROVIDERS = new Set(['hotmail', 'outlook', 'eas', 'exchange']);

/** A refusal as Nylas answers a clone, so the row's `action_required` is the one a real run writes. */
function refusal(message: string): NylasError {
  return new NylasError({
    kind: 'api',
    type: 'invalid_request_error',
    message,
    status: 400,
    retryable: false,
    ambiguous: false,
    attempts: 1,
    method: 'POST',
    path: '/v3/migration-tools/grants/{account_id}/clone',
  });
}

/** A grant as the clone would answer it, for `resultFromGrant`; the id is unknown until it exists. */
const predictedGrant = (status: 'valid' | 'invalid'): Grant => ({ id: 'predicted', grant_status: status });

/** The predicted row carries no grant id: no grant exists yet. */
function withoutGrantId(result: AccountResult): AccountResult {
  const { grantId: _grantId, ...rest } = result;
  return rest;
}

/**
 * What the real run would write for this account, by the same rules: the form's skip rules
 * (outcome.ts), a grant already there (cloning.ts keeps it), then what the clone answers — the
 * migration API's documented refusals and placeholders (nylas.md, the clone's flags
 * `allow_invalid_grant_creation` and `clone_exchange`) — turned into a row by `resultFromGrant` and
 * `resultFromError`, as the run turns the clone's answer. `connectors` are the v3 connectors the
 * run will have when it clones: those on the v3 app plus those the import creates.
 */
export function predictOutcome(
  account: AccountRecord,
  input: {
    options: MigrationOptions;
    connectors: ReadonlySet<string>;
    existingGrant?: Grant | undefined;
    now: number;
  },
): Prediction {
  const { options, now } = input;
  const skip = skipReason(account, options);
  if (skip) return { result: skippedResult(skip, now), rule: 'skipped' };
  if (input.existingGrant)
    return { result: resultFromGrant(input.existingGrant, account, now, true), rule: 'existing' };
  const refused = (message: string) => resultFromError(refusal(message), account, now);
  const placeholder = () => withoutGrantId(resultFromGrant(predictedGrant('invalid'), account, now));

  if (account.billingState === 'deleted')
    return { result: refused('v2 account has been deleted'), rule: 'deleted' };
  const connector = v3ConnectorFor(account.provider);
  if (connector === undefined || !input.connectors.has(connector)) {
    const name = connector ?? account.provider;
    return {
      result: refused(
        `no ${name} connector found for this application: create a ${name} connector before migrating ${account.provider} accounts`,
      ),
      rule: 'noConnector',
    };
  }
  const provider = account.provider.toLowerCase();
  if (EXCHANGE_PROVIDERS.has(provider) && isPersonalMicrosoft(account)) {
    return {
      result: options.microsoftPlaceholders
        ? placeholder()
        : refused('Microsoft personal account on Exchange can’t be migrated'),
      rule: 'personalMicrosoft',
    };
  }
  const running = syncHealthy(account.syncState) && account.billingState !== 'cancelled';
  if (!running && providerFamily(account.provider) === 'microsoft') {
    return {
      result: options.microsoftPlaceholders
        ? placeholder()
        : refused('Microsoft account is not running and clone_exchange is false'),
      rule: 'microsoftNotRunning',
    };
  }
  if (!running) {
    return {
      result: options.placeholders
        ? placeholder()
        : refused('account is not running and allow_invalid_grant_creation is false'),
      rule: 'notRunning',
    };
  }
  return { result: withoutGrantId(resultFromGrant(predictedGrant('valid'), account, now)), rule: 'migrate' };
}
