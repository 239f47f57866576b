import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { V2App, V3App } from '../../config/apps-registry.js';
import type { Grant } from '../../nylas/schemas/v3.js';
import type { V2Client } from '../../nylas/v2-client.js';
import type { V3Client } from '../../nylas/v3-client.js';
import { logDropped } from '../../shared/best-effort.js';
import type { Logger } from '../../shared/logger.js';
import type { AccountStatus } from '../account.js';
import { MigrationFailure, nylasCall } from '../failure.js';
import type { Notifier, ReportFile } from '../notifier.js';
import { type AdminCheck, DEFAULT_RUN_SETTINGS, type RunNylas } from '../ports.js';
import { emptyCounts } from '../progress.js';
import { writeReport } from '../report.js';
import type { MigrationRequest } from '../request.js';
import { createRunContext, type RunContext } from '../steps/context.js';
import { listAccounts } from '../steps/listing.js';
import { preflight } from '../steps/preflight.js';
import { IMPORTED_CONNECTORS, v3ConnectorFor } from './connector-providers.js';
import { connectorTodo, webhookRows } from './plan-findings.js';
import type { PlanOutcome, PlanReport } from './plan-report.js';
import { createPlanStore } from './plan-store.js';
import { type PredictionRule, predictOutcome } from './predict.js';

/** The read calls a plan makes; no method of these writes at Nylas. */
export interface PlanNylas {
  v2: Pick<V2Client, 'getApplication' | 'accountPages' | 'listWebhooks'>;
  v3: Pick<V3Client, 'getApplication' | 'listConnectors' | 'listGrants'>;
}

export interface PlanDeps {
  request: MigrationRequest;
  apps: { v2: V2App | undefined; v3: V3App | undefined };
  nylas: PlanNylas;
  notifier: Notifier;
  verifyAdmin: AdminCheck;
  cancelRequested: () => Promise<string | undefined>;
  /** The shared budget's rate (migration-API requests per second per v3 app), for the estimate. */
  ratePerSecond: number;
  reportDir: string;
  logger: Logger;
  signal?: AbortSignal | undefined;
  now?: () => number;
}

/** Thrown between steps when an admin pressed Cancel. */
class PlanCancelled extends Error {
  constructor(readonly by: string) {
    super('plan cancelled');
  }
}

const GRANTS_PAGE = 200;
/** Grant lookups of the real run: one per chunk of 50 accounts (cloning.ts, `chunkSize`). */
const ACCOUNTS_PER_LOOKUP = DEFAULT_RUN_SETTINGS.chunkSize;

/** A write reaching this is a bug: a plan must never change anything at Nylas. */
const forbidden = (what: string) => () => Promise.reject(new Error(`a plan makes no writes (${what})`));

/** File name of a plan's CSV. */
export function planFilename(migrationId: string): string {
  return `migration-plan-${migrationId}.csv`;
}

/**
 * A dry run: the real run's preflight (admin, apps, region, link), then only reads — the v2 app's
 * settings and webhooks, the v3 app's connectors and grants, every v2 account — and a prediction per
 * account by the real run's rules (predict.ts). Posts the plan and its CSV through the notifier.
 * Never throws for an expected failure or a cancel: the outcome says it.
 */
export async function runPlan(deps: PlanDeps): Promise<PlanOutcome> {
  const store = createPlanStore(deps.cancelRequested);
  const runNylas: RunNylas = {
    v2: deps.nylas.v2,
    v3: {
      getApplication: (signal) => deps.nylas.v3.getApplication(signal),
      listConnectors: (signal) => deps.nylas.v3.listConnectors(signal),
      listGrants: (query, signal) => deps.nylas.v3.listGrants(query, signal),
      updateApplication: forbidden('PATCH /v3/applications'),
      grantsForAccounts: forbidden('grant lookups by account'),
    },
    migration: {
      linkApps: forbidden('link'),
      importV2App: forbidden('import'),
      cloneAccount: forbidden('clone'),
      listJobs: forbidden('jobs'),
    },
  };
  const ctx = createRunContext({
    request: deps.request,
    apps: deps.apps,
    nylas: runNylas,
    store,
    notifier: deps.notifier,
    verifyAdmin: deps.verifyAdmin,
    settings: { ...DEFAULT_RUN_SETTINGS, reportDir: deps.reportDir },
    logger: deps.logger,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const checkCancel = async () => {
    const by = await deps.cancelRequested();
    if (by) throw new PlanCancelled(by);
  };
  let outcome: PlanOutcome;
  let file: ReportFile | undefined;
  try {
    await checkCancel();
    const planned = await plan(ctx, deps, checkCancel);
    file = planned.file;
    outcome = { kind: 'planned', report: planned.report };
  } catch (error) {
    if (error instanceof PlanCancelled) outcome = { kind: 'cancelled', by: error.by };
    else if (error instanceof MigrationFailure) outcome = { kind: 'failed', reason: error.reason };
    else throw error;
  }
  try {
    // Best effort: the plan is done; a Slack error here must not make BullMQ run it all again.
    await Promise.resolve(deps.notifier.plan?.(ctx.ref, outcome, file)).catch(
      logDropped(deps.logger, 'warn', 'plan outcome not posted in its thread', {
        migrationId: ctx.ref.migrationId,
      }),
    );
  } finally {
    if (file) await rm(file.path, { force: true });
  }
  return outcome;
}

async function plan(
  ctx: RunContext,
  deps: PlanDeps,
  checkCancel: () => Promise<void>,
): Promise<{ report: PlanReport; file: ReportFile }> {
  const info = await preflight(ctx);
  await ctx.notify({
    type: 'milestone',
    text: `Plan: preflight passed (region ${info.region.toUpperCase()}); reading both applications — nothing is changed at Nylas`,
  });
  // The parent shows the plan running (its Cancel button stays until the plan ends).
  await Promise.resolve(
    deps.notifier.progress(ctx.ref, { step: 'listing', done: 0, total: 0, counts: emptyCounts() }),
  ).catch(logDropped(deps.logger, 'warn', 'plan progress not shown', { migrationId: ctx.ref.migrationId }));
  const { signal } = ctx;
  await checkCancel();
  const v2Settings = await nylasCall('preflight', 'Reading the v2 settings failed', () =>
    ctx.nylas.v2.getApplication(signal),
  );
  const webhooks = await nylasCall('preflight', 'Reading the v2 webhooks failed', () =>
    deps.nylas.v2.listWebhooks(signal),
  );
  const connectors = await nylasCall('connectors', 'Listing the v3 connectors failed', () =>
    ctx.nylas.v3.listConnectors(signal),
  );
  const grants = await nylasCall('connectors', 'Listing the v3 grants failed', () => allGrants(ctx));
  await checkCancel();

  await listAccounts(ctx);
  await checkCancel();

  // What the run will have when it clones: the v3 app's connectors plus those the import creates.
  const available = new Set([...connectors.map((c) => c.provider), ...IMPORTED_CONNECTORS]);
  const grantByAccount = new Map<string, Grant>();
  for (const grant of grants) if (grant.account_id) grantByAccount.set(grant.account_id, grant);

  const counts = emptyCounts();
  const byProvider: PlanReport['byProvider'] = {};
  const byRule: PlanReport['byRule'] = {};
  const missing = new Map<string, number>();
  const total = await ctx.store.accountCount();
  const now = ctx.now();
  for (let start = 0; start < total; start += 1000) {
    const accounts = await ctx.store.accounts(start, Math.min(total, start + 1000) - 1);
    const entries = accounts.map((account) => {
      const prediction = predictOutcome(account, {
        options: ctx.request.options,
        connectors: available,
        existingGrant: grantByAccount.get(account.id),
        now,
      });
      const status: AccountStatus = prediction.result.status;
      counts[status]++;
      const row = byProvider[account.provider] ?? {};
      row[status] = (row[status] ?? 0) + 1;
      byProvider[account.provider] = row;
      byRule[prediction.rule] = (byRule[prediction.rule] ?? 0) + 1;
      if (prediction.rule === ('noConnector' satisfies PredictionRule)) {
        const name = v3ConnectorFor(account.provider) ?? `${account.provider} (unknown to v3)`;
        missing.set(name, (missing.get(name) ?? 0) + 1);
      }
      return { account, result: prediction.result };
    });
    await ctx.store.writeResults(entries);
  }

  const clones = total - counts.skipped - (byRule.existing ?? 0);
  const migrationCalls = { link: info.alreadyLinked ? 0 : 1, import: 1, clones };
  const calls = migrationCalls.link + migrationCalls.import + migrationCalls.clones;
  const report: PlanReport = {
    total,
    counts,
    byProvider,
    byRule,
    connectorTodo: connectorTodo(connectors, missing, info.region),
    connectorsAfterImport: [...available].sort(),
    redirectUris: v2Settings.redirect_uris ?? [],
    webhooks: webhookRows(webhooks),
    alreadyLinked: info.alreadyLinked,
    existingGrants: grants.length,
    migrationCalls,
    readCalls: 2 + Math.ceil((total - counts.skipped) / ACCOUNTS_PER_LOOKUP),
    ratePerSecond: deps.ratePerSecond,
    estimatedSeconds: Math.ceil(calls / deps.ratePerSecond),
  };

  await mkdir(deps.reportDir, { recursive: true });
  const filename = planFilename(ctx.request.migrationId);
  const path = join(deps.reportDir, filename);
  const rows = await writeReport(ctx.store, path);
  return { report, file: { path, filename, rows } };
}

/** Every grant of the v3 app, page by page (read only; the real run looks them up per chunk). */
async function allGrants(ctx: RunContext): Promise<Grant[]> {
  const grants: Grant[] = [];
  for (let offset = 0; ; offset += GRANTS_PAGE) {
    const page = await ctx.nylas.v3.listGrants({ limit: GRANTS_PAGE, offset }, ctx.signal);
    grants.push(...page.grants);
    if (page.grants.length < GRANTS_PAGE) return grants;
  }
}
