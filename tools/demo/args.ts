import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface DemoOptions {
  /** v2 accounts of the migrated app. */
  accounts: number;
  /** Where the CSV, the thread and the apps file are written. */
  outDir: string;
  help: boolean;
}

export const DEFAULT_ACCOUNTS = 300;
export const MAX_ACCOUNTS = 100_000;

export const USAGE = `npm run demo -- [--accounts N] [--out DIR]

Runs the whole flow on this machine: the Nylas simulator, a stand-in for Slack's Web API, the real bot
and worker on Redis; plays Slack's part (/migrate, the form, "Create app") and prints the thread.

  --accounts N   v2 accounts of the migrated app (default ${DEFAULT_ACCOUNTS})
  --out DIR      where the CSV report and the thread go (default $DEMO_OUTPUT_DIR or ./demo-output)
  --help         this text`;

export type ParsedArgs = { ok: true; options: DemoOptions } | { ok: false; error: string };

/** Flags first, then `DEMO_OUTPUT_DIR`, then `./demo-output` (relative to the working directory). */
export function parseDemoArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs {
  let values: { accounts?: string | undefined; out?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        accounts: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  let accounts = DEFAULT_ACCOUNTS;
  if (values.accounts !== undefined) {
    const raw = values.accounts.trim();
    accounts = Number(raw);
    if (!/^\d+$/.test(raw) || accounts < 1 || accounts > MAX_ACCOUNTS)
      return {
        ok: false,
        error: `--accounts must be a whole number from 1 to ${MAX_ACCOUNTS}, got "${raw}"`,
      };
  }
  const out = values.out?.trim() || env.DEMO_OUTPUT_DIR?.trim() || 'demo-output';
  return { ok: true, options: { accounts, outDir: resolve(out), help: values.help ?? false } };
}
