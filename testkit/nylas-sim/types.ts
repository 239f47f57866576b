/**
 * Public types of the Nylas v2+v3 simulator. Runtime code lives in the sibling modules; this file
 * only describes shapes so that callers (demo, tests, benchmarks) can import them cheaply.
 */

/** v2 `provider` values, as the v2 account API reports them. */
export type V2Provider =
  | 'gmail'
  | 'graph'
  | 'office365'
  | 'exchange'
  | 'eas'
  | 'hotmail'
  | 'outlook'
  | 'imap'
  | 'icloud'
  | 'yahoo'
  | 'aol'
  | 'nylas';

/** v3 grant/connector providers this simulator produces. */
export type V3Provider = 'google' | 'microsoft' | 'imap' | 'icloud' | 'yahoo' | 'virtual-calendar' | 'ews';

/** `partial`: still syncing (credentials work); `invalid`: the credentials stopped working. */
export type V2SyncState =
  | 'running'
  | 'partial'
  | 'invalid'
  | 'stopped'
  | 'exception'
  | 'sync-error'
  | 'downloading'
  | 'initializing'
  | 'invalid-credentials';

export type V2BillingState = 'paid' | 'cancelled' | 'deleted';

export type Region = 'us' | 'eu';

/** One v2 connected account, with exactly the fields v2's `GET /a/{client_id}/accounts` returns. */
export interface SimV2Account {
  readonly id: string;
  readonly account_id: string;
  readonly object: 'account';
  readonly email: string;
  readonly name: string;
  readonly provider: V2Provider;
  readonly sync_state: V2SyncState;
  readonly billing_state: V2BillingState;
  readonly authentication_type: 'oauth' | 'password';
  readonly trial: boolean;
  readonly namespace_id: string;
}

export interface SimV2AppConfig {
  clientId: string;
  clientSecret: string;
  name?: string;
  accounts: number;
  seed?: number;
  redirectUris?: string[];
  /**
   * Data-center region of the v2 app. When set, `link-v2v3-apps` refuses a v3 app of another region
   * (the Dashboard's same-region rule). Unset: no region check.
   */
  region?: Region;
}

export interface SimV3AppConfig {
  applicationId: string;
  apiKey: string;
  region: Region;
  linkedV2AppId?: string;
  environment?: 'production' | 'staging';
  name?: string;
}

export interface NylasSimOptions {
  /** 0 (default) = a random free port. The server binds 127.0.0.1 only. */
  port?: number;
  v2Apps: SimV2AppConfig[];
  v3Apps: SimV3AppConfig[];
  /** Per v3 app, `/v3/migration-tools/*`, sliding 1000 ms window of accepted requests; default 20. */
  migrationRateLimit?: number;
  /** Per v3 app, every other `/v3` path; default 50. */
  v3RateLimit?: number;
  /** Delay added before every response; default 0. */
  latencyMs?: number | { min: number; max: number };
  /** Whether 429s carry `Retry-After: 1`; 'alternate' (default) starts with one, then without, and so on. */
  retryAfter?: 'always' | 'never' | 'alternate';
  /**
   * Random chaos on clone calls only; rates in [0, 1], default 0. `actedShare` (default 0.5) is the
   * share of those 5xx answered after the clone was made: a real 5xx may come after the work was done.
   */
  faults?: { transient5xxRate?: number; timeoutRate?: number; actedShare?: number; seed?: number };
  /** Readings of behaviour Nylas does not document; each test can play any of them. */
  readings?: SimReadings;
  /** How long each step of a batch job (snapshot, then clone) takes; default 150. */
  jobStepMs?: number;
  /** How long a "timeout" fault hangs before answering 504; default 30000. */
  timeoutHangMs?: number;
}

/**
 * Where Nylas's documentation leaves behaviour open, each plausible reading; the first is the default.
 */
export interface SimReadings {
  /**
   * How an optional field without a value is sent in the v3 ApplicationObject: `omitted` (default), or
   * `null` (`v2_application_id: null`, `hosted_authentication: null`, unset branding fields null).
   */
  absentFields?: 'omitted' | 'null';
  /**
   * `GET /v3/grants?account_ids=`: the spec types it as one string and names no separator.
   * `comma`: `a,b` is two ids; `repeated`: only a repeated parameter lists ids, `a,b` is one id
   * (so it matches nothing).
   */
  accountIdsList?: 'comma' | 'repeated';
  /**
   * `re-link`: linking a pair that is already linked succeeds again; `reject`: it answers 400.
   */
  relinkLinkedPair?: 're-link' | 'reject';
  /**
   * import-v2-app's answer: the spec's schema says a message string, its description "a list of two
   * Jobs, Snapshot and BatchClone" that run on in the background. `message`: settings only; `jobs`:
   * it also starts a snapshot and a batch clone of the accounts never cloned in this app (as the
   * Dashboard's "Migrate app" would) and answers the two jobs.
   */
  importAnswer?: 'message' | 'jobs';
  /** `re-import`: import-v2-app may run again; `reject`: a second import answers 400. */
  repeatedImport?: 're-import' | 'reject';
}

export interface CloneFlags {
  allowInvalidGrantCreation: boolean;
  cloneExchange: boolean;
}

/** Rule number (1–9) of the clone outcome rules in `outcomes.ts`. */
export type CloneRule = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

export interface ExpectedOutcome {
  kind: 'valid_grant' | 'invalid_grant' | 'error';
  /** v3 provider of the grant (grant kinds only). */
  grantProvider?: string;
  /** HTTP status (error kind only). */
  status?: number;
  /** `error.type` (error kind only). */
  errorType?: string;
  /** `error.message` (error kind only). */
  message?: string;
  /** Which outcome rule decided (see `outcomes.ts`); always set by the simulator. */
  rule?: CloneRule;
}

/** A v3 grant as the simulator stores and returns it (a GrantObject). */
export interface SimGrant {
  readonly id: string;
  readonly account_id: string;
  readonly email: string;
  readonly name: string;
  readonly provider: V3Provider;
  /** Optional in the GrantObject; `blocked` only when a test asks (`setGrantStatus`). */
  readonly grant_status?: 'valid' | 'invalid' | 'blocked';
  readonly created_at: number;
  readonly updated_at: number;
  readonly scope: readonly string[];
}

/** What `setGrantStatus` makes the next grants of an account say. */
export type GrantStatusOverride = 'blocked' | 'absent';

export interface SimConnector {
  name: string;
  provider: V3Provider;
  settings: Record<string, string>;
  scope: string[];
}

export interface SimCallbackUri {
  id: string;
  url: string;
  platform: 'web' | 'desktop' | 'js' | 'ios' | 'android';
  settings?: Record<string, string>;
}

export interface SimBranding {
  name?: string;
  icon_url?: string;
  website_url?: string;
  description?: string;
}

/** The v3 ApplicationObject as `GET /v3/applications` returns it. */
export interface SimApplicationObject {
  application_id: string;
  organization_id: string;
  region: Region;
  environment: 'production' | 'staging';
  v2_application_id?: string;
  branding: SimBranding;
  hosted_authentication?: Record<string, string | number>;
  callback_uris: SimCallbackUri[];
}

export interface MigrationJobObject {
  job_id: string;
  type: 'snapshot' | 'migration';
  public_application_id: string;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'partial';
  count_all: number;
  count_success: number;
  count_failed: number;
  count_warning: number;
  created_at: number;
  updated_at: number;
  linked_job_id?: string;
}

export interface SimCounters {
  /** Clone requests per v2 account id that got past auth and the rate limiter (faults included). */
  cloneCalls: Record<string, number>;
  /** Grants created by clones (single and batch) since the last reset. */
  grantsCreated: number;
  /**
   * v2 accounts that have more than one grant in some v3 app. Derived from the stored grants, so
   * `resetCounters()` does not clear it.
   */
  duplicateGrants: number;
  /** 429s sent (rate limiting and injected 429s). */
  rateLimited: number;
  /** Per v3 app: most migration-tools requests (429s included) that arrived in any 1000 ms window. */
  maxMigrationRequestsInAnyWindow: Record<string, number>;
  /** Per v3 app: most other /v3 requests (429s included) that arrived in any 1000 ms window. */
  maxV3RequestsInAnyWindow: Record<string, number>;
  /** Arrivals per "METHOD /route-template" (401s and 429s included); unknown routes as "METHOD *". */
  requests: Record<string, number>;
}

export type FaultMatch =
  | 'clone'
  | 'v2-accounts'
  | 'v2-app'
  | 'grants'
  | 'link'
  | 'import'
  | 'application'
  | 'any';

export type InjectedFault =
  | {
      match: FaultMatch;
      /** Only for `match: 'clone'` (or 'any'): restrict to clones of this v2 account. */
      accountId?: string;
      times: number;
      kind: 'status';
      status: number;
      errorType?: string;
      message?: string;
      retryAfterSeconds?: number;
      /** The route did its work (a clone made its grant) before this error answer replaced its own. */
      acted?: boolean;
    }
  | { match: FaultMatch; accountId?: string; times: number; kind: 'timeout' };

export interface NylasSim {
  /** e.g. http://127.0.0.1:43121 — serves both the v2 paths and the /v3 paths. */
  readonly url: string;
  /** Stops listening and ends every open connection, hanging ones included. */
  close(): Promise<void>;
  /** The seeded dataset of a v2 app, in listing order. */
  accounts(v2ClientId: string): readonly SimV2Account[];
  /**
   * What `POST /v3/migration-tools/grants/{id}/clone` answers for this account, computed by the
   * handler's own decision function. Assumes a v3 app linked to this v2 app on which
   * `import-v2-app` has run. `attempt` (default 1) counts the clone calls of this account that
   * reach the provider step (rules 1–7 passed), this one included.
   */
  expectedOutcome(
    v2ClientId: string,
    accountId: string,
    flags: CloneFlags,
    attempt?: number,
  ): ExpectedOutcome;
  counters(): SimCounters;
  resetCounters(): void;
  /** The next `times` requests matching `rule.match` get the given answer. */
  injectFaults(rule: InjectedFault): void;
  /** v2 host "gone": every v2 request answers 503 `{message, type: "api_error"}` while down. */
  setV2Down(down: boolean): void;
  /**
   * Grants cloned for this v2 account from now on come back `blocked`, or with no `grant_status` at
   * all (`absent`): both are allowed by the GrantObject schema, neither is in the clone rules. `undefined`
   * goes back to the rules. The scopes stay those of the rules' outcome.
   */
  setGrantStatus(accountId: string, status: GrantStatusOverride | undefined): void;
  /** Grants of a v3 app, in creation order. */
  grants(v3AppId: string): readonly SimGrant[];
  /** The current v3 ApplicationObject. */
  application(v3AppId: string): SimApplicationObject;
}
