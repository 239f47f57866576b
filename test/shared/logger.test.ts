import { describe, expect, it } from 'vitest';
import { NylasError } from '../../src/nylas/errors.js';
import { createJsonLogger, type JsonLoggerOptions } from '../../src/shared/logger.js';
import { Secret } from '../../src/shared/secret.js';
import { audit } from '../../src/slack/audit.js';

/** A logger whose lines are kept raw, as they would reach stdout. */
function capture(options: JsonLoggerOptions = {}, base: Record<string, unknown> = { service: 'test' }) {
  const raw: string[] = [];
  const logger = createJsonLogger(base, (line) => raw.push(line), options);
  const lines = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, raw, lines };
}

describe('createJsonLogger (pino)', () => {
  it('writes one JSON object per line: level word, ISO time, base and call fields, message', () => {
    const { logger, raw, lines } = capture();
    logger.child({ migrationId: 'm1' }).info('started', { accounts: 3 });
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toContain('\n');
    const [line] = lines();
    expect(line).toMatchObject({ level: 'info', service: 'test', migrationId: 'm1', accounts: 3 });
    expect(line?.message).toBe('started');
    expect(new Date(String(line?.time)).toISOString()).toBe(line?.time);
  });

  it('filters by level: info by default, debug when asked, only errors at error', () => {
    const levels = (options: JsonLoggerOptions) => {
      const { logger, lines } = capture(options);
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      return lines().map((line) => line.level);
    };
    expect(levels({})).toEqual(['info', 'warn', 'error']);
    expect(levels({ level: 'debug' })).toEqual(['debug', 'info', 'warn', 'error']);
    expect(levels({ level: 'error' })).toEqual(['error']);
    expect(levels({ level: 'silent' })).toEqual([]);
  });

  it('redacts authorization headers and secret-named fields, at any of the first three levels', () => {
    const { logger, raw, lines } = capture();
    logger.warn('request failed', {
      headers: { authorization: 'Bearer nyk_v0_leaked', accept: 'application/json' },
      apiKey: 'nyk_v0_key_leaked',
      options: { client: { token: 'xoxb-leaked' } },
      botToken: new Secret('xoxb-secret-class'),
    });
    expect(raw.join('\n')).not.toMatch(/leaked|secret-class/);
    expect(lines()[0]).toMatchObject({
      headers: { authorization: '[redacted]', accept: 'application/json' },
      apiKey: '[redacted]',
      options: { client: { token: '[redacted]' } },
      botToken: '[secret]',
    });
  });

  it('logs an error with each cause of its chain', () => {
    const { logger, lines } = capture();
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const middle = new Error('redis is down', { cause: root });
    logger.warn('could not save', { error: new Error('checkpoint not written', { cause: middle }) });
    expect(lines()[0]?.error).toEqual({
      name: 'Error',
      message: 'checkpoint not written',
      cause: {
        name: 'Error',
        message: 'redis is down',
        cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:6379', code: 'ECONNREFUSED' },
      },
    });
  });

  it('keeps stacks for error lines only, and stops at a cause that loops', () => {
    const { logger, lines } = capture();
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    logger.error('unexpected', { error: a });
    logger.warn('expected', { error: new Error('c') });
    const [unexpected, expected] = lines() as Array<{ error: Record<string, unknown> }>;
    expect(unexpected?.error.stack).toMatch(/^Error: a\n\s+at /);
    expect(unexpected?.error.cause).toMatchObject({ message: 'b' });
    expect(unexpected?.error.cause).not.toHaveProperty('cause');
    expect(expected?.error.stack).toBeUndefined();
  });

  it("logs a Nylas error's status, type, request id, method, path and attempts, and its cause", () => {
    const { logger, raw, lines } = capture();
    const error = new NylasError({
      kind: 'api',
      type: 'rate_limit_error',
      message: 'Too many requests',
      status: 429,
      requestId: 'req-123',
      providerError: { email: 'someone@example.com' },
      retryable: true,
      ambiguous: false,
      attempts: 4,
      method: 'POST',
      path: '/v3/connect/migrate',
      cause: new Error('the last 429'),
    });
    logger.warn('clone failed', { error });
    expect(lines()[0]?.error).toMatchObject({
      name: 'NylasError',
      message: 'Too many requests',
      code: 'nylas_error',
      status: 429,
      type: 'rate_limit_error',
      requestId: 'req-123',
      method: 'POST',
      path: '/v3/connect/migrate',
      attempts: 4,
      cause: { message: 'the last 429' },
    });
    expect(raw[0]).not.toContain('someone@example.com'); // the provider's raw error stays out
  });

  it('keeps an audit entry one JSON line', () => {
    const { raw, lines, logger } = capture({}, { service: 'migrate-bot', role: 'bot' });
    audit(logger, {
      who: 'U1',
      team: 'T1',
      what: 'form.submit',
      outcome: 'refused',
      reason: 'not\nan admin',
    });
    expect(raw).toHaveLength(1);
    expect(raw[0]?.split('\n')).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ audit: true, who: 'U1', what: 'form.submit', outcome: 'refused' });
  });
});
