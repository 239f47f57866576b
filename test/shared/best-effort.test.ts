import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { logDropped } from '../../src/shared/best-effort.js';
import { createJsonLogger } from '../../src/shared/logger.js';

const src = fileURLToPath(new URL('../../src', import.meta.url));
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

describe('best-effort calls', () => {
  it('log what was dropped, why, and at the level asked; the caller goes on with undefined', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createJsonLogger({}, (line) => lines.push(JSON.parse(line)), { level: 'debug' });
    const failing = Promise.reject(new Error('not_in_channel', { cause: new Error('HTTP 200') }));
    const result = await failing.catch(
      logDropped(logger, 'warn', 'cancel notice not posted', { migrationId: 'm1' }),
    );
    await Promise.reject(new Error('Connection is closed')).catch(logDropped(logger, 'debug', 'quit failed'));
    expect(result).toBeUndefined();
    expect(lines).toMatchObject([
      {
        level: 'warn',
        message: 'cancel notice not posted',
        migrationId: 'm1',
        dropped: true,
        error: { message: 'not_in_channel', cause: { message: 'HTTP 200' } },
      },
      { level: 'debug', message: 'quit failed', error: { message: 'Connection is closed' } },
    ]);
  });

  it('are never swallowed silently in src/ (no `.catch(() => undefined | null | {} | constant)`)', () => {
    const silent = /\.catch\(\s*\(\)\s*=>\s*(undefined|null|\{\s*\}|'[^']*'|\d+|true|false)\s*\)/g;
    const files = sources(src);
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(silent)].map((m) => `${file.slice(src.length)}: ${m[0]}`),
    );
    expect(found).toEqual([]);
  });
});
