/**
 * A user's clone has nothing beside it: no source, test, script or document of this repository may
 * name a relative path that leaves the repository (the reference documents the tests need are kept
 * in reference/).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((file) => file !== '' && !file.endsWith('package-lock.json') && !file.startsWith('reference/'))
  .filter((file) => existsSync(join(root, file)));

/** Relative paths in quotes, backticks, markdown links, or after whitespace, that start with `../`. */
const RELATIVE_PATH = /(?:['"`(\s]|^)((?:\.\.\/)+[\w.@-][\w./@-]*)/gm;

function escapes(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(RELATIVE_PATH)) {
    const target = match[1] ?? '';
    const where = relative(root, resolve(root, dirname(file), target));
    if (where.startsWith('..')) found.push(`${file}: ${target}`);
  }
  return found;
}

describe('the repository stands alone', () => {
  it('no file names a path outside the repository', () => {
    expect(tracked.length).toBeGreaterThan(50);
    expect(tracked.flatMap(escapes)).toEqual([]);
  });

  it('the reference documents the tests read are inside the repository', () => {
    for (const name of ['nylas-v3-openapi.yml', 'slack-manifest.schema.1.0.0.json']) {
      expect(existsSync(join(root, 'reference', name)), name).toBe(true);
    }
  });
});
