import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../shared/logger.js';

/** Bolt's logger interface on top of ours, so Bolt's own messages are structured lines too. */
export function boltLogger(logger: Logger, level: LogLevel = LogLevel.WARN): BoltLogger {
  let current = level;
  const order = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
  const enabled = (wanted: LogLevel) => order.indexOf(wanted) >= order.indexOf(current);
  const text = (parts: unknown[]) =>
    parts
      .map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p)))
      .join(' ');
  return {
    debug: (...parts) => enabled(LogLevel.DEBUG) && logger.debug(text(parts), { source: 'bolt' }),
    info: (...parts) => enabled(LogLevel.INFO) && logger.info(text(parts), { source: 'bolt' }),
    warn: (...parts) => enabled(LogLevel.WARN) && logger.warn(text(parts), { source: 'bolt' }),
    error: (...parts) => enabled(LogLevel.ERROR) && logger.error(text(parts), { source: 'bolt' }),
    setLevel: (next) => {
      current = next;
    },
    getLevel: () => current,
    setName: () => {},
  } as BoltLogger;
}
