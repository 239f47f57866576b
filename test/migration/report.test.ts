import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccountRecord, AccountResult } from '../../src/migration/account.js';
import {
  neutraliseFormula,
  REPORT_COLUMNS,
  type ReportSource,
  writeReport,
} from '../../src/migration/report.js';
import { parseCsv } from '../helpers/expected-rows.js';

function source(entries: Array<[AccountRecord, AccountResult | undefined]>): ReportSource {
  return {
    accountCount: async () => entries.length,
    accounts: async (start, end) => entries.slice(start, end + 1).map(([a]) => a),
    results: async (ids) => ids.map((id) => entries.find(([a]) => a.id === id)?.[1]),
  };
}

const account = (id: string, email: string, provider = 'gmail'): AccountRecord => ({
  id,
  email,
  provider,
  syncState: 'running',
  billingState: 'paid',
});

describe('the CSV report', () => {
  it('has the contract’s header and one row per account, in listing order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, 'r.csv');
    const rows = await writeReport(
      source([
        [
          account('a1', 'ann@example.com'),
          { status: 'migrated', grantId: 'g1', grantStatus: 'valid', at: 1 },
        ],
        [
          account('a2', 'bob@hotmail.com', 'eas'),
          {
            status: 'placeholder',
            grantId: 'g2',
            grantStatus: 'invalid',
            actionRequired: 'User must sign in again on v3',
            at: 1,
          },
        ],
        [
          account('a3', 'cy@example.com'),
          {
            status: 'failed',
            errorType: 'invalid_request_error',
            errorMessage: 'v2 account has been deleted',
            actionRequired: 'None',
            at: 1,
          },
        ],
        [
          account('a4', 'di@example.com'),
          { status: 'skipped', errorMessage: 'billing state is cancelled', at: 1 },
        ],
      ]),
      path,
    );
    expect(rows).toBe(4);
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toBe(
      'v2_account_id,email,provider,v2_sync_state,v2_billing_state,status,v3_grant_id,grant_status,error_type,error_message,action_required',
    );
    const { header, rows: parsed } = parseCsv(text);
    expect(header).toEqual([...REPORT_COLUMNS]);
    expect(parsed.map((r) => [r.v2_account_id, r.status, r.v3_grant_id, r.error_type])).toEqual([
      ['a1', 'migrated', 'g1', ''],
      ['a2', 'placeholder', 'g2', ''],
      ['a3', 'failed', '', 'invalid_request_error'],
      ['a4', 'skipped', '', ''],
    ]);
    expect(parsed[3]?.error_message).toBe('billing state is cancelled');
  });

  it('neutralises cells a spreadsheet would run, and quotes commas and quotes', async () => {
    expect(['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx', 'plain', 'a=b'].map(neutraliseFormula)).toEqual([
      "'=1+1",
      "'+1",
      "'-2",
      "'@SUM(A1)",
      "'\tx",
      "'\rx",
      'plain',
      'a=b',
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, 'r.csv');
    await writeReport(
      source([
        [
          account('a1', '=HYPERLINK("http://evil","x")@example.com'),
          { status: 'failed', errorType: 'x', errorMessage: 'bad, "quoted"', at: 1 },
        ],
      ]),
      path,
    );
    const { rows } = parseCsv(await readFile(path, 'utf8'));
    expect(rows[0]?.email).toBe('\'=HYPERLINK("http://evil","x")@example.com');
    expect(rows[0]?.error_message).toBe('bad, "quoted"');
  });

  it('never drops an account that lacks an outcome: the row says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, 'r.csv');
    await writeReport(source([[account('a1', 'x@example.com'), undefined]]), path);
    const { rows } = parseCsv(await readFile(path, 'utf8'));
    expect(rows[0]).toMatchObject({ status: 'failed', error_type: 'internal_error' });
  });
});
