import { parse } from 'csv-parse/sync';
import type { AccountStatus } from '../../src/migration/account.js';
import { providerFamily } from '../../src/migration/providers.js';
import type { MigrationOptions } from '../../src/migration/request.js';
import type { NylasSim, SimV2Account } from '../../testkit/nylas-sim/index.js';

export type CsvRow = Record<string, string>;

export function parseCsv(text: string): { header: string[]; rows: CsvRow[] } {
  const records = parse(text, { bom: false, relax_column_count: false }) as string[][];
  const [header = [], ...body] = records;
  return {
    header,
    rows: body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']))),
  };
}

/**
 * The status the simulator's own rules give an account on its `attempt`-th clone, after our skip rules:
 * this is what every report row must say.
 */
export function expectedStatus(
  sim: NylasSim,
  v2AppId: string,
  account: SimV2Account,
  options: Pick<
    MigrationOptions,
    'placeholders' | 'microsoftPlaceholders' | 'skipInactiveBilling' | 'providers'
  >,
  attempt = 1,
): AccountStatus {
  if (
    options.skipInactiveBilling &&
    (account.billing_state === 'cancelled' || account.billing_state === 'deleted')
  ) {
    return 'skipped';
  }
  if (options.providers && !options.providers.includes(providerFamily(account.provider))) return 'skipped';
  const outcome = sim.expectedOutcome(
    v2AppId,
    account.id,
    { allowInvalidGrantCreation: options.placeholders, cloneExchange: options.microsoftPlaceholders },
    attempt,
  );
  return outcome.kind === 'valid_grant'
    ? 'migrated'
    : outcome.kind === 'invalid_grant'
      ? 'placeholder'
      : 'failed';
}

export const DEFAULT_OPTIONS = {
  placeholders: true,
  microsoftPlaceholders: true,
  skipInactiveBilling: true,
} as const;

/** The status after as many clone calls as the simulator saw for the account (retries included). */
export function finalStatus(
  sim: NylasSim,
  v2AppId: string,
  account: SimV2Account,
  options: Parameters<typeof expectedStatus>[3] = DEFAULT_OPTIONS,
): AccountStatus {
  return expectedStatus(sim, v2AppId, account, options, sim.counters().cloneCalls[account.id] ?? 1);
}

/**
 * Accounts cloned more than once, whose earlier calls did not all end in an error that made no grant
 * (a flaky provider error, or an answer lost with a killed worker): each is a clone that should not
 * have been repeated. Expect it to be empty.
 */
export function unjustifiedRepeats(
  sim: NylasSim,
  v2AppId: string,
  options: Parameters<typeof expectedStatus>[3] = DEFAULT_OPTIONS,
): string[] {
  const flags = {
    allowInvalidGrantCreation: options.placeholders,
    cloneExchange: options.microsoftPlaceholders,
  };
  return Object.entries(sim.counters().cloneCalls)
    .filter(([, calls]) => calls > 1)
    .filter(([accountId, calls]) => {
      for (let attempt = 1; attempt < calls; attempt++) {
        if (sim.expectedOutcome(v2AppId, accountId, flags, attempt).kind !== 'error') return true;
      }
      return false;
    })
    .map(([accountId]) => accountId);
}
