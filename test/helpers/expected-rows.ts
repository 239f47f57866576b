import { parse } from 'csv-parse/sync';
import type { AccountStatus } from '../../src/migration/account.js';
import { providerFamily } from '../../src/migration/providers.js';
import type { MigrationOptions } from '../../src/migration/request.js';
import type { NylasSim, SimV2Account } from '../../src/sim/nylas/index.js';

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
