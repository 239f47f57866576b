/**
 * The simulator's world: v2 apps with their datasets, v3 apps with their link, connectors, grants
 * and jobs, and the counters. Routes read and change it; nothing here knows about HTTP.
 */
import { randomUUID } from 'node:crypto';
import { generateDataset, type V2Dataset } from './dataset.js';
import { type CloneDecision, decideClone, grantScopes, reachedProvider } from './outcomes.js';
import { SlidingWindowLimiter, WindowPeak } from './rate-limit.js';
import type {
  CloneFlags,
  GrantStatusOverride,
  MigrationJobObject,
  Region,
  SimApplicationObject,
  SimBranding,
  SimCallbackUri,
  SimConnector,
  SimCounters,
  SimGrant,
  SimReadings,
  SimV2AppConfig,
  SimV3AppConfig,
} from './types.js';

export interface V2AppState {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly name: string;
  readonly region: Region | undefined;
  readonly iconUrl: string;
  /** v2 apps had a website URL in their settings; invented from the name here. */
  readonly websiteUrl: string;
  readonly redirectUris: readonly string[];
  readonly dataset: V2Dataset;
}

/** How the last clone of an account went in a v3 app (batch `mode: only_failed` reads it). */
export type CloneResult = 'success' | 'warning' | 'failed';

export interface JobRecord {
  job: MigrationJobObject;
  /** ms since epoch; set when the job finished (sorting by completion needs it; not exposed). */
  completedAt?: number;
}

export interface V3AppState {
  readonly applicationId: string;
  readonly apiKey: string;
  readonly region: Region;
  readonly organizationId: string;
  linkedV2: string | undefined;
  /** import-v2-app has run on this app (a `repeatedImport: 'reject'` reading refuses the next). */
  imported: boolean;
  environment: 'production' | 'staging';
  branding: SimBranding;
  hostedAuthentication: Record<string, string | number> | undefined;
  callbackUris: SimCallbackUri[];
  connectors: SimConnector[];
  readonly grants: SimGrant[];
  /** Positions in `grants` per v2 account id, ascending. */
  readonly grantsByAccount: Map<string, number[]>;
  readonly lastClone: Map<string, CloneResult>;
  readonly jobs: JobRecord[];
  readonly migrationLimiter: SlidingWindowLimiter;
  readonly v3Limiter: SlidingWindowLimiter;
  readonly migrationPeak: WindowPeak;
  readonly v3Peak: WindowPeak;
}

export interface CloneResultWithGrant {
  decision: CloneDecision;
  grant?: SimGrant;
}

export interface SimStateOptions {
  v2Apps: readonly SimV2AppConfig[];
  v3Apps: readonly SimV3AppConfig[];
  migrationRateLimit: number;
  v3RateLimit: number;
  readings?: SimReadings | undefined;
}

export class SimState {
  readonly v2Apps = new Map<string, V2AppState>();
  readonly v3Apps = new Map<string, V3AppState>();
  private readonly v3ByKey = new Map<string, V3AppState>();
  /** Provider-step attempts per v2 account ("clientId/accountId"); not a counter, never reset. */
  private readonly attempts = new Map<string, number>();
  /** v2 accounts ("clientId/accountId") with more than one grant in some v3 app. */
  private readonly duplicateAccounts = new Set<string>();
  v2Down = false;
  /** v2 account id → the grant status its clones report instead of the rules' (`setGrantStatus`). */
  readonly grantStatusOverrides = new Map<string, GrantStatusOverride>();
  readonly readings: Required<SimReadings>;

  private cloneCalls = new Map<string, number>();
  private grantsCreated = 0;
  private rateLimited = 0;
  private requests = new Map<string, number>();

  constructor(options: SimStateOptions) {
    this.readings = {
      absentFields: options.readings?.absentFields ?? 'omitted',
      accountIdsList: options.readings?.accountIdsList ?? 'comma',
      importAnswer: options.readings?.importAnswer ?? 'message',
      relinkLinkedPair: options.readings?.relinkLinkedPair ?? 're-link',
      repeatedImport: options.readings?.repeatedImport ?? 're-import',
    };
    for (const config of options.v2Apps) {
      if (this.v2Apps.has(config.clientId)) throw new Error(`duplicate v2 app ${config.clientId}`);
      this.v2Apps.set(config.clientId, {
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        name: config.name ?? config.clientId,
        region: config.region,
        iconUrl: `https://assets.sim.invalid/icons/${encodeURIComponent(config.clientId)}.png`,
        websiteUrl: `https://www.${slug(config.name ?? config.clientId)}.example`,
        redirectUris: [
          ...(config.redirectUris ?? [
            `https://app.${slug(config.name ?? config.clientId)}.example/oauth/callback`,
          ]),
        ],
        dataset: generateDataset(config.clientId, config.accounts, config.seed),
      });
    }
    for (const config of options.v3Apps) {
      if (this.v3Apps.has(config.applicationId)) throw new Error(`duplicate v3 app ${config.applicationId}`);
      if (this.v3ByKey.has(config.apiKey))
        throw new Error(`duplicate v3 api key for ${config.applicationId}`);
      if (config.linkedV2AppId !== undefined && !this.v2Apps.has(config.linkedV2AppId)) {
        throw new Error(`v3 app ${config.applicationId} is linked to unknown v2 app ${config.linkedV2AppId}`);
      }
      const app: V3AppState = {
        applicationId: config.applicationId,
        apiKey: config.apiKey,
        region: config.region,
        organizationId: randomUUID(),
        linkedV2: config.linkedV2AppId,
        imported: false,
        environment: config.environment ?? 'production',
        branding: { name: config.name ?? config.applicationId },
        hostedAuthentication: undefined,
        callbackUris: [],
        connectors: [],
        grants: [],
        grantsByAccount: new Map(),
        lastClone: new Map(),
        jobs: [],
        migrationLimiter: new SlidingWindowLimiter(options.migrationRateLimit),
        v3Limiter: new SlidingWindowLimiter(options.v3RateLimit),
        migrationPeak: new WindowPeak(),
        v3Peak: new WindowPeak(),
      };
      this.v3Apps.set(app.applicationId, app);
      this.v3ByKey.set(app.apiKey, app);
    }
  }

  v3AppByKey(apiKey: string): V3AppState | undefined {
    return this.v3ByKey.get(apiKey);
  }

  requireV2(clientId: string): V2AppState {
    const app = this.v2Apps.get(clientId);
    if (app === undefined) throw new Error(`no simulated v2 app ${clientId}`);
    return app;
  }

  requireV3(applicationId: string): V3AppState {
    const app = this.v3Apps.get(applicationId);
    if (app === undefined) throw new Error(`no simulated v3 app ${applicationId}`);
    return app;
  }

  applicationObject(app: V3AppState): SimApplicationObject {
    return {
      application_id: app.applicationId,
      organization_id: app.organizationId,
      region: app.region,
      environment: app.environment,
      ...(app.linkedV2 !== undefined && { v2_application_id: app.linkedV2 }),
      branding: { ...app.branding },
      ...(app.hostedAuthentication !== undefined && {
        hosted_authentication: { ...app.hostedAuthentication },
      }),
      callback_uris: app.callbackUris.map((uri) => ({ ...uri })),
    };
  }

  /**
   * Runs the clone rules for one account in a v3 app and applies the result: records the attempt,
   * creates the grant (always a new one, duplicates included).
   */
  clone(app: V3AppState, accountId: string, flags: CloneFlags): CloneResultWithGrant {
    const v2 = app.linkedV2 === undefined ? undefined : this.v2Apps.get(app.linkedV2);
    const attemptKey = `${v2?.clientId ?? ''}/${accountId}`;
    const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
    const decision = decideClone({
      linked: v2 !== undefined,
      account: v2?.dataset.byId.get(accountId),
      connectors: new Set(app.connectors.map((c) => c.provider)),
      flaky: v2?.dataset.flaky.has(accountId) ?? false,
      attempt,
      flags,
    });
    if (reachedProvider(decision)) this.attempts.set(attemptKey, attempt);
    if (decision.kind === 'error') {
      if (decision.rule >= 3) app.lastClone.set(accountId, 'failed');
      return { decision };
    }
    const account = v2?.dataset.byId.get(accountId);
    if (account === undefined) return { decision }; // unreachable: rule 2 refuses unknown accounts
    const now = Math.floor(Date.now() / 1000);
    const override = this.grantStatusOverrides.get(account.id);
    const grant: SimGrant = {
      id: randomUUID(),
      account_id: account.id,
      email: account.email,
      name: account.name,
      provider: decision.provider,
      ...(override === 'absent' ? {} : { grant_status: override ?? decision.grantStatus }),
      created_at: now,
      updated_at: now,
      scope: grantScopes(decision.provider, decision.grantStatus),
    };
    const position = app.grants.push(grant) - 1;
    const existing = app.grantsByAccount.get(account.id);
    if (existing === undefined) app.grantsByAccount.set(account.id, [position]);
    else {
      existing.push(position);
      this.duplicateAccounts.add(attemptKey);
    }
    app.lastClone.set(account.id, decision.grantStatus === 'valid' ? 'success' : 'warning');
    this.grantsCreated++;
    return { decision, grant };
  }

  countRequest(key: string): void {
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  countCloneCall(accountId: string): void {
    this.cloneCalls.set(accountId, (this.cloneCalls.get(accountId) ?? 0) + 1);
  }

  countRateLimited(): void {
    this.rateLimited++;
  }

  counters(): SimCounters {
    const maxMigration: Record<string, number> = {};
    const maxV3: Record<string, number> = {};
    for (const app of this.v3Apps.values()) {
      maxMigration[app.applicationId] = app.migrationPeak.peak;
      maxV3[app.applicationId] = app.v3Peak.peak;
    }
    return {
      cloneCalls: Object.fromEntries(this.cloneCalls),
      grantsCreated: this.grantsCreated,
      duplicateGrants: this.duplicateAccounts.size,
      rateLimited: this.rateLimited,
      maxMigrationRequestsInAnyWindow: maxMigration,
      maxV3RequestsInAnyWindow: maxV3,
      requests: Object.fromEntries(this.requests),
    };
  }

  resetCounters(): void {
    this.cloneCalls = new Map();
    this.grantsCreated = 0;
    this.rateLimited = 0;
    this.requests = new Map();
    for (const app of this.v3Apps.values()) {
      app.migrationPeak.resetPeak();
      app.v3Peak.resetPeak();
    }
  }
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'app'
  );
}
