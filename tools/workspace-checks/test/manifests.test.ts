/**
 * Every package.json tells npm and Nx the truth (issue 14 §4): its `exports` and `main` point at
 * files that exist; every @tsfm package its shipped code imports (src/, the runner's experiment
 * templates, scripts/, bench/) is declared in `dependencies`, and one only its tests import in
 * `devDependencies` or `dependencies`; and every @tsfm package in `dependencies` is imported by
 * shipped code (one only the tests use belongs in `devDependencies`). An undeclared import works
 * only by the accident of the workspace's hoisting, and Nx builds its task graph from the
 * declarations.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const SHIPPED_DIRS = ['src', 'templates', 'scripts', 'bench'];

interface Manifest {
  readonly name: string;
  readonly main?: string;
  readonly exports?: string | Record<string, string | Record<string, string>>;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const PACKAGES = ['apps', 'packages'].flatMap((top) =>
  readdirSync(join(REPO, top))
    .map((name) => join(REPO, top, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest })),
);

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.[cm]?[jt]s$/.test(name) ? [path] : [];
  });
}

/** The @tsfm packages a source imports: static, dynamic, re-exports and resolve() calls. */
function tsfmImports(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\.resolve\(\s*)['"](@tsfm\/[\w.-]+)/g;
  return [...source.matchAll(pattern)].map((match) => match[1]);
}

/** Export targets, flattened over conditions (`{ ".": { "import": "./x.js" } }`). */
function exportTargets(manifest: Manifest): string[] {
  const targets: string[] = manifest.main === undefined ? [] : [manifest.main];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  return targets.filter((target) => !target.includes('*'));
}

/** Which of a package's folders import each @tsfm package (itself left out). */
function importsByFolder({ dir, manifest }: (typeof PACKAGES)[number]): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const folder of [...SHIPPED_DIRS, 'test']) {
    for (const file of sourceFiles(join(dir, folder))) {
      for (const name of tsfmImports(readFileSync(file, 'utf8'))) {
        if (name === manifest.name) continue;
        used.set(name, (used.get(name) ?? new Set()).add(folder));
      }
    }
  }
  return used;
}

describe('package manifests', () => {
  it('finds every app and package', () => {
    expect(PACKAGES.length).toBeGreaterThanOrEqual(12);
  });

  it('reads the @tsfm imports of a source', () => {
    const source = [
      "import { a } from '@tsfm/harness/x';",
      "export type { B } from '@tsfm/losses';",
      "await import('@tsfm/pretrain');",
      "createRequire(import.meta.url).resolve('@tsfm/charts/package.json');",
      "import 'zod';",
    ].join('\n');
    expect(tsfmImports(source)).toEqual(['@tsfm/harness', '@tsfm/losses', '@tsfm/pretrain', '@tsfm/charts']);
  });

  it('exports and main point at files that exist', () => {
    const missing = PACKAGES.flatMap(({ dir, manifest }) =>
      exportTargets(manifest)
        .filter((target) => !existsSync(join(dir, target)))
        .map((target) => `${manifest.name}: ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it('declares every @tsfm package it imports, in dependencies when shipped code imports it', () => {
    const undeclared = PACKAGES.flatMap((pkg) => {
      const { dependencies = {}, devDependencies = {} } = pkg.manifest;
      return [...importsByFolder(pkg)].flatMap(([name, folders]) => {
        const shipped = [...folders].some((folder) => folder !== 'test');
        const declared = name in dependencies || (!shipped && name in devDependencies);
        return declared ? [] : [`${pkg.manifest.name} imports ${name} in ${[...folders].join(', ')}/`];
      });
    });
    expect(undeclared).toEqual([]);
  });

  it('uses every @tsfm package in dependencies from shipped code', () => {
    const unused = PACKAGES.flatMap((pkg) => {
      const used = importsByFolder(pkg);
      return Object.keys(pkg.manifest.dependencies ?? {})
        .filter((name) => name.startsWith('@tsfm/'))
        .filter((name) => ![...(used.get(name) ?? [])].some((folder) => folder !== 'test'))
        .map((name) => `${pkg.manifest.name}: ${name} (${used.has(name) ? 'tests only: devDependencies' : 'unused'})`);
    });
    expect(unused).toEqual([]);
  });
});
