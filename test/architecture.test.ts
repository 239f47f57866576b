/**
 * The shape of the tree: src/ is production code only. It imports nothing from the tooling folders
 * (testkit/, tools/, test/, bench/), and every package it loads at run time is a production dependency,
 * so `npm ci --omit=dev` (the container's final stage) has all that `node dist/main.js` needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Import specifiers, marked type-only where the whole statement is `import type` / `export type`. */
function imports(file: string): Array<{ spec: string; typeOnly: boolean }> {
  const text = readFileSync(join(root, file), 'utf8');
  const found: Array<{ spec: string; typeOnly: boolean }> = [];
  for (const m of text.matchAll(/^(import|export)(\s+type)?\b[^;]*?from\s+'([^']+)'/gms))
    found.push({ spec: m[3] ?? '', typeOnly: Boolean(m[2]) });
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g))
    found.push({ spec: m[1] ?? '', typeOnly: false });
  return found;
}

const packageName = (spec: string) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);

describe('src/ is production code only', () => {
  const files = sources('src');

  it('imports nothing outside src/', () => {
    expect(files.length).toBeGreaterThan(40);
    const outside = files.flatMap((file) =>
      imports(file)
        .filter(({ spec }) => spec.startsWith('.'))
        .map(({ spec }) => relative(join(root, 'src'), resolve(root, dirname(file), spec)))
        .filter((target) => target.startsWith('..'))
        .map((target) => `${file} → ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it('loads only production dependencies at run time', () => {
    const builtins = new Set(builtinModules);
    const missing = files.flatMap((file) =>
      imports(file)
        .filter(({ spec, typeOnly }) => !typeOnly && !spec.startsWith('.') && !spec.startsWith('node:'))
        .map(({ spec }) => packageName(spec))
        .filter((name) => !builtins.has(name) && !(name in pkg.dependencies))
        .map((name) => `${file} → ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no import cycle between its folders (store does not reach into queue, config not into nylas)', () => {
    const folderOf = (path: string) => relative(join(root, 'src'), path).split('/')[0] ?? '';
    const edges = new Map<string, Set<string>>();
    for (const file of files) {
      const from = folderOf(join(root, file));
      for (const { spec } of imports(file).filter((i) => i.spec.startsWith('.'))) {
        const to = folderOf(resolve(root, dirname(file), spec));
        if (to !== from && !to.endsWith('.ts') && !to.endsWith('.js')) {
          edges.set(from, (edges.get(from) ?? new Set()).add(to));
        }
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of edges.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const start of edges.keys()) visit(start, [start]);
    expect(edges.get('store')?.has('queue') ?? false).toBe(false);
    expect(edges.get('config')?.has('nylas') ?? false).toBe(false);
    expect([...new Set(cycles)]).toEqual([]);
  });

  it('npm start, bot and worker run the compiled build with plain node', () => {
    expect(pkg.scripts.start).toBe('node dist/main.js');
    expect(pkg.scripts.bot).toBe('node dist/main.js --role bot');
    expect(pkg.scripts.worker).toBe('node dist/main.js --role worker');
  });
});
