/** Structured log lines (one JSON object per line). Callers pass facts, never secrets or payloads. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createJsonLogger(
  base: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    write(
      JSON.stringify({ time: new Date().toISOString(), level, message, ...base, ...fields }, errorReplacer),
    );
  return {
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createJsonLogger({ ...base, ...fields }, write),
  };
}

/** Errors serialise as their code and message; stacks go to the log only for unexpected errors. */
function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) {
    const coded = value as Error & { code?: unknown };
    return { name: value.name, code: coded.code, message: value.message };
  }
  return value;
}

/** For tests and benchmarks that do not want output. */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
