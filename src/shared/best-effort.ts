import type { Logger } from './logger.js';

/**
 * For a call whose failure the caller can live with: `.catch(logDropped(logger, 'warn', 'what was
 * dropped'))` says what was dropped and why (the error), then resolves to undefined so the caller
 * goes on. `warn` when someone misses something (a reply, a clean-up left to expire); `debug` when
 * nothing is lost (closing a connection that is already gone).
 */
export function logDropped(
  logger: Logger,
  level: 'debug' | 'info' | 'warn' | 'error',
  what: string,
  fields: Record<string, unknown> = {},
): (error: unknown) => undefined {
  return (error) => {
    logger[level](what, { ...fields, dropped: true, error });
    return undefined;
  };
}
