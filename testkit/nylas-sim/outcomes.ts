/**
 * The clone outcome rules: what `POST /v3/migration-tools/grants/{account_id}/clone` does for an
 * account. The HTTP handler and `NylasSim.expectedOutcome` both call {@link decideClone}, so the
 * project's tests can compute the expected report from the same code that answers.
 *
 * Rules, first match wins (`allow_invalid_grant_creation` and `clone_exchange` default to true):
 *
 * 1. The v3 app is not linked to any v2 app → 400 `invalid_request_error`
 *    "application is not linked to a v2 application".
 * 2. The account id is not in the linked v2 app → 400 `invalid_request_error` "v2 account not found".
 * 3. `billing_state` is `deleted` → 400 `invalid_request_error` "v2 account has been deleted".
 * 4. The v3 app has no connector for the account's v3 provider (import-v2-app not run yet, or a
 *    provider import never creates: yahoo, virtual-calendar) → 400 `invalid_request_error` naming
 *    the provider.
 * 5. A Microsoft personal account on Exchange (provider `hotmail` or `outlook`, or `eas`/`exchange`
 *    with a Hotmail/Outlook.com/Live/MSN address) → `clone_exchange` true: an invalid placeholder
 *    grant, provider microsoft; false: 400 `invalid_request_error` (it can't be migrated).
 * 6. Any other Microsoft account (graph, office365, exchange, eas) that is not running
 *    (`sync_state` ≠ running, or `billing_state` cancelled) → as rule 5: `clone_exchange` decides.
 * 7. A non-Microsoft account that is not running → `allow_invalid_grant_creation` true: an invalid
 *    placeholder grant with the mapped provider; false: 400 `invalid_request_error`.
 * 8. A flaky account (chosen by the dataset's seed among accounts that would get a valid grant), on
 *    its first call that gets this far → 400 `provider_error` with
 *    `provider_error.error = "temporarily_unavailable"`. Calls stopped by rules 1–7, 429s and
 *    injected status faults are not attempts; every later attempt succeeds.
 * 9. Otherwise → a valid grant with the mapped provider.
 *
 * v2 → v3 providers: gmail→google; graph, office365, exchange, eas, hotmail, outlook→microsoft;
 * imap, aol→imap; icloud→icloud; yahoo→yahoo; nylas (v2's virtual calendars)→virtual-calendar.
 * Running means `sync_state` running or partial (partial: still syncing, credentials fine).
 */
import type {
  CloneFlags,
  CloneRule,
  ExpectedOutcome,
  SimV2Account,
  V2Provider,
  V3Provider,
} from './types.js';

const V3_PROVIDER: Record<V2Provider, V3Provider> = {
  gmail: 'google',
  graph: 'microsoft',
  office365: 'microsoft',
  exchange: 'microsoft',
  eas: 'microsoft',
  hotmail: 'microsoft',
  outlook: 'microsoft',
  imap: 'imap',
  aol: 'imap',
  icloud: 'icloud',
  yahoo: 'yahoo',
  nylas: 'virtual-calendar',
};

export function v3ProviderOf(provider: V2Provider): V3Provider {
  return V3_PROVIDER[provider];
}

/** Consumer Microsoft domains (Hotmail, Outlook.com, Live, MSN, and their country variants). */
const PERSONAL_MICROSOFT_DOMAIN = /@(hotmail|outlook|live|msn|windowslive|passport)\.[a-z.]+$/i;

export function isPersonalMicrosoftEmail(email: string): boolean {
  return PERSONAL_MICROSOFT_DOMAIN.test(email);
}

export function isMicrosoft(account: Pick<SimV2Account, 'provider'>): boolean {
  return V3_PROVIDER[account.provider] === 'microsoft';
}

/** Rule 5's population: Microsoft personal accounts that synced over Exchange. */
export function isPersonalMicrosoftExchange(account: Pick<SimV2Account, 'provider' | 'email'>): boolean {
  if (account.provider === 'hotmail' || account.provider === 'outlook') return true;
  return (
    (account.provider === 'eas' || account.provider === 'exchange') && isPersonalMicrosoftEmail(account.email)
  );
}

export function isRunning(account: Pick<SimV2Account, 'sync_state' | 'billing_state'>): boolean {
  return (
    (account.sync_state === 'running' || account.sync_state === 'partial') &&
    account.billing_state !== 'cancelled'
  );
}

export interface CloneContext {
  /** Whether the v3 app is linked to a v2 app. */
  linked: boolean;
  /** The account in the linked v2 app, if there is one with that id. */
  account: SimV2Account | undefined;
  /** Providers the v3 app has connectors for. */
  connectors: ReadonlySet<V3Provider>;
  /** Whether the dataset marked this account flaky. */
  flaky: boolean;
  /** 1-based number this call would have among the account's calls that reach rule 8. */
  attempt: number;
  flags: CloneFlags;
}

export type CloneDecision =
  | { kind: 'grant'; grantStatus: 'valid' | 'invalid'; provider: V3Provider; rule: CloneRule }
  | {
      kind: 'error';
      status: 400;
      type: 'invalid_request_error' | 'provider_error';
      message: string;
      providerError?: Record<string, string>;
      rule: CloneRule;
    };

function refuse(rule: CloneRule, message: string): CloneDecision {
  return { kind: 'error', status: 400, type: 'invalid_request_error', message, rule };
}

function notRunningReason(account: SimV2Account): string {
  return account.billing_state === 'cancelled'
    ? 'billing_state is cancelled'
    : `sync_state is ${account.sync_state}`;
}

/** Applies the rules in this file's header, in order. Pure: the caller records attempts. */
export function decideClone(ctx: CloneContext): CloneDecision {
  if (!ctx.linked) return refuse(1, 'application is not linked to a v2 application');
  const account = ctx.account;
  if (account === undefined) return refuse(2, 'v2 account not found');
  if (account.billing_state === 'deleted') return refuse(3, 'v2 account has been deleted');
  const provider = v3ProviderOf(account.provider);
  if (!ctx.connectors.has(provider)) {
    return refuse(
      4,
      `no ${provider} connector found for this application: create a ${provider} connector before migrating ${account.provider} accounts`,
    );
  }
  if (isPersonalMicrosoftExchange(account)) {
    return ctx.flags.cloneExchange
      ? { kind: 'grant', grantStatus: 'invalid', provider: 'microsoft', rule: 5 }
      : refuse(
          5,
          `Microsoft personal account (${account.provider}) on Exchange can't be migrated; the user must authenticate again on v3`,
        );
  }
  const running = isRunning(account);
  if (isMicrosoft(account) && !running) {
    return ctx.flags.cloneExchange
      ? { kind: 'grant', grantStatus: 'invalid', provider: 'microsoft', rule: 6 }
      : refuse(
          6,
          `Microsoft account is not running (${notRunningReason(account)}) and clone_exchange is false; the user must authenticate again on v3`,
        );
  }
  if (!running) {
    return ctx.flags.allowInvalidGrantCreation
      ? { kind: 'grant', grantStatus: 'invalid', provider, rule: 7 }
      : refuse(
          7,
          `account is not running (${notRunningReason(account)}) and allow_invalid_grant_creation is false`,
        );
  }
  if (ctx.flaky && ctx.attempt <= 1) {
    return {
      kind: 'error',
      status: 400,
      type: 'provider_error',
      message: `${provider} provider is temporarily unavailable; retry the migration of this account`,
      providerError: {
        error: 'temporarily_unavailable',
        error_description: 'The service is temporarily unavailable. Try again later.',
      },
      rule: 8,
    };
  }
  return { kind: 'grant', grantStatus: 'valid', provider, rule: 9 };
}

/** Whether a decision means the call reached the provider step (and so counts as an attempt). */
export function reachedProvider(decision: CloneDecision): boolean {
  return decision.rule === 8 || decision.rule === 9;
}

export function toExpectedOutcome(decision: CloneDecision): ExpectedOutcome {
  if (decision.kind === 'grant') {
    return {
      kind: decision.grantStatus === 'valid' ? 'valid_grant' : 'invalid_grant',
      grantProvider: decision.provider,
      rule: decision.rule,
    };
  }
  return {
    kind: 'error',
    status: decision.status,
    errorType: decision.type,
    message: decision.message,
    rule: decision.rule,
  };
}

/** Scopes a valid migrated grant carries; placeholders carry none. */
export function grantScopes(provider: V3Provider, grantStatus: 'valid' | 'invalid'): string[] {
  if (grantStatus === 'invalid') return [];
  switch (provider) {
    case 'google':
      return [
        'openid',
        'https://www.googleapis.com/auth/userinfo.email',
        'https://www.googleapis.com/auth/gmail.modify',
        'https://www.googleapis.com/auth/calendar',
        'https://www.googleapis.com/auth/contacts',
      ];
    case 'microsoft':
      return ['offline_access', 'User.Read', 'Mail.ReadWrite', 'Calendars.ReadWrite', 'Contacts.ReadWrite'];
    default:
      return [];
  }
}
