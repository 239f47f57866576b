/**
 * `/v3/migration-tools/*` routes (20 req/s per app, applied by the server): link, import, single
 * clone, batch clone and jobs. Clone outcomes come from `outcomes.ts` through `SimState.clone`.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { IMPORTED_CONNECTOR_PROVIDERS, importedConnectors } from './connectors.js';
import { boolQuery, listQuery, ok, type Reply, type Route, v3Error } from './http.js';
import { v3ProviderOf } from './outcomes.js';
import type { JobRecord, SimState, V2AppState, V3AppState } from './state.js';
import type { CloneFlags, MigrationJobObject, SimV2Account } from './types.js';

/** The batch clone an import starts uses Nylas's defaults (placeholders on), not the caller's choice. */
const IMPORT_BATCH_FLAGS: CloneFlags = { allowInvalidGrantCreation: true, cloneExchange: true };

/** How long each batch job step (snapshot, then clone) takes, unless `jobStepMs` says otherwise. */
export const JOB_STEP_MS = 150;

export const IMPORT_MESSAGE =
  'V2 Application imported successfully to v3 Application: app settings, Connectors, redirect URIs, etc.';

const BATCH_PROVIDERS = [
  'google',
  'microsoft',
  'graph',
  'imap',
  'icloud',
  'ews',
  'virtual-calendar',
] as const;
type BatchProvider = (typeof BATCH_PROVIDERS)[number];

const batchSchema = z.object({
  limit: z.number().int().min(1).default(1000),
  offset: z.number().int().min(0).default(0),
  providers: z.array(z.enum(BATCH_PROVIDERS)).optional(),
  mode: z.enum(['all', 'only_new', 'only_failed']).default('all'),
});

const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'partial'] as const;
const JOB_TYPES = ['snapshot', 'migration'] as const;

/** Runs `fn` after `ms`; the server cancels what is still pending when it closes. */
export type Scheduler = (ms: number, fn: () => void) => void;

export function migrationRoutes(state: SimState, schedule: Scheduler, jobStepMs = JOB_STEP_MS): Route[] {
  return [
    {
      surface: 'v3',
      method: 'POST',
      template: '/v3/migration-tools/link-v2v3-apps',
      rateClass: 'migration',
      fault: 'link',
      handle: ({ app, headers }) => {
        const raw = headers.basicv2;
        const value = Array.isArray(raw) ? raw[0] : raw;
        if (value === undefined || value.trim() === '') {
          return v3Error(
            400,
            'invalid_request_error',
            'BasicV2 header is required (base64 of "V2_APP_ID:V2_APP_SECRET")',
          );
        }
        const credentials = decodeBasicV2(value.trim());
        if (credentials === undefined) {
          return v3Error(
            400,
            'invalid_request_error',
            'BasicV2 header must be base64 of "V2_APP_ID:V2_APP_SECRET"',
          );
        }
        const v2 = state.v2Apps.get(credentials.id);
        if (v2 === undefined || v2.clientSecret !== credentials.secret) {
          return v3Error(401, 'unauthorized', 'BasicV2 credentials do not match a v2 application');
        }
        if (v2.region !== undefined && v2.region !== app.region) {
          return v3Error(
            400,
            'invalid_request_error',
            `v2 application is in region ${v2.region} and v3 application in ${app.region}: only same-region imports are possible`,
          );
        }
        if (app.linkedV2 !== undefined && app.linkedV2 !== v2.clientId) {
          return v3Error(
            400,
            'invalid_request_error',
            `application is already linked to another v2 application (${app.linkedV2})`,
          );
        }
        if (app.linkedV2 === v2.clientId && state.readings.relinkLinkedPair === 'reject') {
          return v3Error(
            400,
            'invalid_request_error',
            'application is already linked to this v2 application',
          );
        }
        app.linkedV2 = v2.clientId;
        return ok(state.applicationObject(app));
      },
    },
    {
      surface: 'v3',
      method: 'POST',
      template: '/v3/migration-tools/import-v2-app',
      rateClass: 'migration',
      fault: 'import',
      handle: ({ app }) => {
        const v2 = linkedV2(state, app);
        if (v2 === undefined) return notLinked();
        if (app.imported && state.readings.repeatedImport === 'reject') {
          return v3Error(400, 'invalid_request_error', 'v2 application has already been imported');
        }
        importSettings(app, v2);
        app.imported = true;
        if (state.readings.importAnswer === 'message') return ok(IMPORT_MESSAGE);
        const { snapshot, clone } = startBatch(
          state,
          app,
          v2,
          IMPORT_BATCH_FLAGS,
          {
            limit: Math.max(1, v2.dataset.accounts.length),
            offset: 0,
            mode: 'only_new',
          },
          schedule,
          jobStepMs,
        );
        return ok([{ ...snapshot.job }, { ...clone.job }]);
      },
    },
    {
      surface: 'v3',
      method: 'POST',
      template: '/v3/migration-tools/grants/:account_id/clone',
      rateClass: 'migration',
      fault: 'clone',
      handle: ({ app, url, params }) => {
        const flags = cloneFlags(url);
        if ('status' in flags) return flags;
        const { decision, grant } = state.clone(app, params.account_id ?? '', flags);
        if (decision.kind === 'error') {
          return v3Error(decision.status, decision.type, decision.message, decision.providerError);
        }
        if (grant === undefined)
          throw new Error(`clone of ${params.account_id} decided a grant but created none`);
        return ok({ ...grant, scope: [...grant.scope] });
      },
    },
    {
      surface: 'v3',
      method: 'POST',
      template: '/v3/migration-tools/snapshot-batch-clone',
      rateClass: 'migration',
      fault: undefined,
      handle: ({ app, url, body }) => {
        const flags = cloneFlags(url);
        if ('status' in flags) return flags;
        const parsed = batchSchema.safeParse(body ?? {});
        if (!parsed.success) {
          return v3Error(
            400,
            'invalid_request_error',
            `invalid request body: ${z.prettifyError(parsed.error)}`,
          );
        }
        const v2 = linkedV2(state, app);
        if (v2 === undefined) return notLinked();
        const { snapshot, clone } = startBatch(state, app, v2, flags, parsed.data, schedule, jobStepMs);
        return ok({ snapshot_job: { ...snapshot.job }, clone_job: { ...clone.job } });
      },
    },
    {
      surface: 'v3',
      method: 'GET',
      template: '/v3/migration-tools/jobs',
      rateClass: 'migration',
      fault: undefined,
      handle: ({ app, url }) => {
        const statuses = listQuery(url, 'status');
        const types = listQuery(url, 'type');
        const badStatus = statuses.find((s) => !(JOB_STATUSES as readonly string[]).includes(s));
        if (badStatus !== undefined)
          return v3Error(400, 'invalid_request_error', `unknown job status ${badStatus}`);
        const badType = types.find((t) => !(JOB_TYPES as readonly string[]).includes(t));
        if (badType !== undefined)
          return v3Error(400, 'invalid_request_error', `unknown job type ${badType}`);
        const sortByCompletion = boolQuery(url, 'sort_by_completion', false);
        if (typeof sortByCompletion !== 'boolean') return sortByCompletion;
        const jobs = app.jobs
          .filter(
            ({ job }) =>
              (statuses.length === 0 || statuses.includes(job.status)) &&
              (types.length === 0 || types.includes(job.type)),
          )
          .reverse(); // newest first
        if (sortByCompletion) jobs.sort(byCompletion);
        return ok(jobs.map(({ job }) => ({ ...job })));
      },
    },
  ];
}

function linkedV2(state: SimState, app: V3AppState): V2AppState | undefined {
  return app.linkedV2 === undefined ? undefined : state.v2Apps.get(app.linkedV2);
}

function notLinked(): Reply {
  return v3Error(400, 'invalid_request_error', 'application is not linked to a v2 application');
}

function cloneFlags(url: URL): CloneFlags | Reply {
  const allowInvalidGrantCreation = boolQuery(url, 'allow_invalid_grant_creation', true);
  if (typeof allowInvalidGrantCreation !== 'boolean') return allowInvalidGrantCreation;
  const cloneExchange = boolQuery(url, 'clone_exchange', true);
  if (typeof cloneExchange !== 'boolean') return cloneExchange;
  return { allowInvalidGrantCreation, cloneExchange };
}

/** `BasicV2: base64("ID:SECRET")` → its parts, or undefined when malformed. */
export function decodeBasicV2(value: string): { id: string; secret: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/**
 * What import-v2-app copies: icon and website URL into branding (other branding fields kept),
 * redirect URIs into callback URIs, integrations into connectors (see `connectors.ts`).
 */
function importSettings(app: V3AppState, v2: V2AppState): void {
  app.branding = { ...app.branding, icon_url: v2.iconUrl, website_url: v2.websiteUrl };
  const known = new Map(app.callbackUris.map((uri) => [uri.url, uri]));
  for (const url of v2.redirectUris) {
    if (!known.has(url)) known.set(url, { id: randomUUID(), url, platform: 'web' });
  }
  app.callbackUris = [...known.values()];
  const imported = importedConnectors(v2.clientId);
  app.connectors = [
    ...app.connectors.filter((c) => !IMPORTED_CONNECTOR_PROVIDERS.includes(c.provider)),
    ...imported,
  ];
}

function matchesProviders(account: SimV2Account, providers: readonly BatchProvider[]): boolean {
  const v3 = v3ProviderOf(account.provider);
  return providers.some((p) => {
    switch (p) {
      case 'graph':
        return account.provider === 'graph' || account.provider === 'office365';
      case 'ews':
        return account.provider === 'eas' || account.provider === 'exchange';
      case 'virtual-calendar':
        return account.provider === 'nylas';
      default:
        return v3 === p;
    }
  });
}

/** When no providers are given, "all supported providers": every batch provider, so never yahoo. */
const DEFAULT_BATCH_PROVIDERS: readonly BatchProvider[] = [
  'google',
  'microsoft',
  'imap',
  'icloud',
  'virtual-calendar',
];

function startBatch(
  state: SimState,
  app: V3AppState,
  v2: V2AppState,
  flags: CloneFlags,
  request: z.infer<typeof batchSchema>,
  schedule: Scheduler,
  stepMs: number,
): { snapshot: JobRecord; clone: JobRecord } {
  const now = Math.floor(Date.now() / 1000);
  const snapshotId = randomUUID();
  const cloneId = randomUUID();
  const base = {
    public_application_id: app.applicationId,
    count_success: 0,
    count_failed: 0,
    count_warning: 0,
  };
  const snapshot: JobRecord = {
    job: {
      job_id: snapshotId,
      type: 'snapshot',
      status: 'running',
      count_all: v2.dataset.accounts.length,
      created_at: now,
      updated_at: now,
      linked_job_id: cloneId,
      ...base,
    },
  };
  const clone: JobRecord = {
    job: {
      job_id: cloneId,
      type: 'migration',
      status: 'pending',
      count_all: 0,
      created_at: now,
      updated_at: now,
      linked_job_id: snapshotId,
      ...base,
    },
  };
  app.jobs.push(snapshot, clone);

  schedule(stepMs, () => {
    finish(snapshot, { count_success: snapshot.job.count_all }, 'completed');
    const providers = request.providers ?? DEFAULT_BATCH_PROVIDERS;
    const selected = v2.dataset.accounts
      .filter((account) => matchesProviders(account, providers))
      .filter((account) => {
        const last = app.lastClone.get(account.id);
        return (
          request.mode === 'all' || (request.mode === 'only_new' ? last === undefined : last === 'failed')
        );
      })
      .slice(request.offset, request.offset + request.limit);
    update(clone, { status: 'running', count_all: selected.length });
    schedule(stepMs, () => {
      const counts = { count_success: 0, count_failed: 0, count_warning: 0 };
      for (const account of selected) {
        const { decision } = state.clone(app, account.id, flags);
        if (decision.kind === 'error') counts.count_failed++;
        else if (decision.grantStatus === 'valid') counts.count_success++;
        else counts.count_warning++;
      }
      const status: MigrationJobObject['status'] =
        counts.count_failed === 0 && counts.count_warning === 0
          ? 'completed'
          : counts.count_success === 0 && counts.count_warning === 0
            ? 'failed'
            : 'partial';
      finish(clone, counts, status);
    });
  });
  return { snapshot, clone };
}

function update(record: JobRecord, changes: Partial<MigrationJobObject>): void {
  record.job = { ...record.job, ...changes, updated_at: Math.floor(Date.now() / 1000) };
}

function finish(
  record: JobRecord,
  changes: Partial<MigrationJobObject>,
  status: MigrationJobObject['status'],
): void {
  update(record, { ...changes, status });
  record.completedAt = Date.now();
}

const STATUS_RANK: Record<MigrationJobObject['status'], number> = {
  pending: 0,
  running: 1,
  failed: 2,
  completed: 2,
  partial: 2,
};

/** Pending, then running, then finished jobs from the most recently completed. */
function byCompletion(a: JobRecord, b: JobRecord): number {
  const rank = STATUS_RANK[a.job.status] - STATUS_RANK[b.job.status];
  if (rank !== 0) return rank;
  return (b.completedAt ?? 0) - (a.completedAt ?? 0);
}
