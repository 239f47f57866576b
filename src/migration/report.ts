import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { AccountRecord, AccountResult } from './account.js';

/** The report's header, exactly as design.md fixes it (outside tests rely on it). */
export const REPORT_COLUMNS = [
  'v2_account_id',
  'email',
  'provider',
  'v2_sync_state',
  'v2_billing_state',
  'status',
  'v3_grant_id',
  'grant_status',
  'error_type',
  'error_message',
  'action_required',
] as const;

/** Reads the migration's accounts (in listing order) and their results, a chunk at a time. */
export interface ReportSource {
  accountCount(): Promise<number>;
  accounts(start: number, endInclusive: number): Promise<AccountRecord[]>;
  results(accountIds: readonly string[]): Promise<(AccountResult | undefined)[]>;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A spreadsheet runs cells that start like a formula; a leading `'` makes them plain text. */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function reportRow(account: AccountRecord, result: AccountResult | undefined): string[] {
  const row = [
    account.id,
    account.email,
    account.provider,
    account.syncState,
    account.billingState,
    // An account without a result would be a bug; say so in the row rather than drop it.
    result?.status ?? 'failed',
    result?.grantId ?? '',
    result?.grantStatus ?? '',
    result ? (result.status === 'failed' ? (result.errorType ?? '') : '') : 'internal_error',
    result?.errorMessage ?? (result ? '' : 'no outcome was recorded for this account'),
    result?.actionRequired ?? (result ? '' : 'Use Retry failed'),
  ];
  return row.map(neutraliseFormula);
}

export type RowObserver = (account: AccountRecord, result: AccountResult | undefined) => void;

/** Rows in listing order, read in chunks so memory stays flat whatever the number of accounts. */
export async function* reportRows(
  source: ReportSource,
  observe?: RowObserver,
  chunkSize = 1000,
): AsyncGenerator<string[]> {
  const total = await source.accountCount();
  for (let start = 0; start < total; start += chunkSize) {
    const accounts = await source.accounts(start, Math.min(total, start + chunkSize) - 1);
    const results = await source.results(accounts.map((a) => a.id));
    for (const [index, account] of accounts.entries()) {
      observe?.(account, results[index]);
      yield reportRow(account, results[index]);
    }
  }
}

/**
 * Streams the CSV (UTF-8, csv-stringify's quoting) to `path`, showing each row to `observe` on the way
 * (the summary is built in the same pass); returns the number of rows written.
 */
export async function writeReport(
  source: ReportSource,
  path: string,
  observe?: RowObserver,
): Promise<number> {
  let rows = 0;
  const counted = async function* () {
    for await (const row of reportRows(source, observe)) {
      rows++;
      yield row;
    }
  };
  await pipeline(
    Readable.from(counted()),
    stringify({ header: true, columns: [...REPORT_COLUMNS] }),
    createWriteStream(path, { encoding: 'utf8' }),
  );
  return rows;
}
