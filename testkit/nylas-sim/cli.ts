/**
 * `npx tsx testkit/nylas-sim/cli.ts --accounts 500 --port 4010 [--latency 50] [--rate 20] [--seed 1]`
 *
 * Starts a simulator with a US and an EU pair of apps (plus an unlinked spare v3 app per region),
 * prints its URL, an apps registry in YAML and the env lines that point the project at it, and runs
 * until SIGINT/SIGTERM. A bad flag prints one line naming it and exits 2.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startNylasSim } from './server.js';
import type { NylasSimOptions, Region } from './types.js';

export interface CliOptions {
  accounts: number;
  port: number;
  latency: number;
  rate: number;
  seed: number | undefined;
}

export type CliParse = { ok: true; options: CliOptions } | { ok: false; error: string };

function integerFlag(name: string, raw: string | undefined, min: number, max: number): number | string {
  if (raw === undefined) return `--${name} needs a value`;
  if (!/^-?\d+$/.test(raw.trim())) return `--${name} must be an integer, got "${raw}"`;
  const value = Number(raw);
  if (value < min || value > max) return `--${name} must be between ${min} and ${max}, got ${value}`;
  return value;
}

export function parseCliArgs(argv: readonly string[]): CliParse {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        accounts: { type: 'string', default: '500' },
        port: { type: 'string', default: '4010' },
        latency: { type: 'string', default: '0' },
        rate: { type: 'string', default: '20' },
        seed: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs names the offending flag in its message (unknown option, missing value, positional).
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const accounts = integerFlag('accounts', values.accounts, 0, 1_000_000);
  if (typeof accounts === 'string') return { ok: false, error: accounts };
  const port = integerFlag('port', values.port, 0, 65535);
  if (typeof port === 'string') return { ok: false, error: port };
  const latency = integerFlag('latency', values.latency, 0, 600_000);
  if (typeof latency === 'string') return { ok: false, error: latency };
  const rate = integerFlag('rate', values.rate, 1, 100_000);
  if (typeof rate === 'string') return { ok: false, error: rate };
  let seed: number | undefined;
  if (values.seed !== undefined) {
    const parsed = integerFlag('seed', values.seed, 0, 2 ** 32 - 1);
    if (typeof parsed === 'string') return { ok: false, error: parsed };
    seed = parsed;
  }
  return { ok: true, options: { accounts, port, latency, rate, seed } };
}

const REGIONS: readonly { region: Region; label: string }[] = [
  { region: 'us', label: 'US' },
  { region: 'eu', label: 'EU' },
];

/** The simulator options for the CLI's fixed set of apps. */
export function cliSimOptions(options: CliOptions): NylasSimOptions {
  return {
    port: options.port,
    latencyMs: options.latency,
    migrationRateLimit: options.rate,
    v2Apps: REGIONS.map(({ region, label }, i) => ({
      clientId: `sim-v2-${region}`,
      clientSecret: `sim-v2-${region}-secret`,
      name: `Sim (v2, ${label})`,
      region,
      accounts: options.accounts,
      ...(options.seed !== undefined && { seed: options.seed + i }),
    })),
    v3Apps: REGIONS.flatMap(({ region, label }) => [
      {
        applicationId: `sim-v3-${region}`,
        apiKey: `nyk_v0_sim_${region}_key`,
        region,
        name: `Sim (v3, ${label})`,
      },
      {
        applicationId: `sim-v3-${region}-spare`,
        apiKey: `nyk_v0_sim_${region}_spare_key`,
        region,
        name: `Sim spare (v3, ${label})`,
      },
    ]),
  };
}

/** The apps registry (YAML, flow maps with JSON-quoted strings) and env lines for a running sim. */
export function cliReport(url: string, simOptions: NylasSimOptions): string {
  const q = (text: string): string => JSON.stringify(text);
  const lines = [
    `# Nylas simulator listening on ${url}`,
    '# --- apps registry (save as nylas-apps.yml) ---',
    'v2_apps:',
  ];
  for (const app of simOptions.v2Apps) {
    lines.push(
      `  - {id: ${q(app.clientId)}, name: ${q(app.name ?? app.clientId)}, region: ${app.region ?? 'us'}, client_secret: ${q(app.clientSecret)}}`,
    );
  }
  lines.push('v3_apps:');
  for (const app of simOptions.v3Apps) {
    lines.push(
      `  - {id: ${q(app.applicationId)}, name: ${q(app.name ?? app.applicationId)}, region: ${app.region}, api_key: ${q(app.apiKey)}}`,
    );
  }
  lines.push('# --- environment ---');
  for (const { label } of REGIONS) {
    lines.push(`# NYLAS_V2_API_URL_${label}=${url}`, `# NYLAS_V3_API_URL_${label}=${url}`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseCliArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`nylas-sim: ${parsed.error}\n`);
    process.exit(2);
  }
  const simOptions = cliSimOptions(parsed.options);
  let sim: Awaited<ReturnType<typeof startNylasSim>>;
  try {
    sim = await startNylasSim(simOptions);
  } catch (error) {
    process.stderr.write(
      `nylas-sim: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(cliReport(sim.url, simOptions));
  const stop = (signal: string): void => {
    process.stderr.write(`nylas-sim: ${signal}, closing\n`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `nylas-sim: close failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2));
}
