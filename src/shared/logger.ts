import { type DestinationStream, type Logger as Pino, pino } from 'pino';
import { errorFields } from './error-fields.js';

/** Structured log lines (one JSON object per line). Callers pass facts, never secrets or payloads. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Keys whose values are replaced wherever they appear (to three levels deep). Callers already log ids
 * only and secrets are {@link Secret}s that print as `[secret]`; this is the second defence, for a
 * header or option object logged whole by mistake.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'apiKey',
  'api_key',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'signingSecret',
  'password',
  'secret',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
export const REDACTED = '[redacted]';

export interface JsonLoggerOptions {
  /** Lines below this level are not written (default `info`). */
  level?: LogLevel;
}

/**
 * The production logger (pino). Each line: `level` (as a word), `time` (ISO), the base and call
 * fields, `message`. `write` gets each line without its newline; by default lines go to stdout
 * synchronously, so the last lines before `process.exit` are not lost.
 */
export function createJsonLogger(
  base: Record<string, unknown> = {},
  write?: (line: string) => void,
  options: JsonLoggerOptions = {},
): Logger {
  const destination: DestinationStream = write
    ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    : pino.destination({ dest: 1, sync: true });
  const root = pino(
    {
      level: options.level ?? 'info',
      base: null,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination,
  );
  return wrap(root.child(withErrors(base, false)));
}

type Level = 'debug' | 'info' | 'warn' | 'error';

function wrap(log: Pino): Logger {
  const at = (level: Level) => (message: string, fields?: Record<string, unknown>) => {
    // Serialising errors costs something: skip it for lines that would be dropped anyway.
    if (!log.isLevelEnabled(level)) return;
    // Stacks only for errors: a warning is trouble we expected and handled, its stack is noise.
    log[level](fields ? withErrors(fields, level === 'error') : {}, message);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(log.child(withErrors(fields, false))),
  };
}

/** Errors anywhere in the fields (pino would print them as `{}`) become their fields and causes. */
function withErrors(fields: Record<string, unknown>, withStack: boolean, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = convert(value, withStack, depth);
  return out;
}

function convert(value: unknown, withStack: boolean, depth: number): unknown {
  if (value instanceof Error) return errorFields(value, withStack);
  if (depth >= 3 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => convert(item, withStack, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value; // Secret, Date…: their toJSON
  return withErrors(value as Record<string, unknown>, withStack, depth + 1);
}

/** For tests and benchmarks that do not want output. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
