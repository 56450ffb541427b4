/**
 * The runner's package.json tells npm and Nx what it needs: its `exports` point at files that
 * exist, and every package the shipped code imports — src/, the experiment templates the jobs
 * run, the benchmark — is declared in `dependencies` (a template importing an undeclared
 * @tsfm package works only by the accident of the workspace's hoisting).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNNER = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(RUNNER, 'package.json'), 'utf8')) as {
  exports: Record<string, string>;
  dependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The package names a source imports (static, dynamic, import.meta.resolve); node: builtins left out. */
function packagesImported(source: string): string[] {
  const names: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'".][^'"]*)['"]/gm,
    /^\s*import\s*['"]([^'".][^'"]*)['"]/gm,
    /\bimport(?:\.meta\.resolve)?\(\s*['"]([^'".][^'"]*)['"]\s*\)/g,
  ];
  for (const match of patterns.flatMap((pattern) => [...source.matchAll(pattern)])) {
    const spec = match[1];
    if (spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.push(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return names;
}

describe('apps/runner/package.json', () => {
  it('exports only files that exist', () => {
    for (const target of Object.values(manifest.exports)) expect(existsSync(join(RUNNER, target)), target).toBe(true);
  });

  it('reads the imports it checks', () => {
    expect(packagesImported("import { a } from '@tsfm/harness/x';\nawait import('execa');")).toEqual([
      '@tsfm/harness',
      'execa',
    ]);
  });

  it('declares every package that src/, templates/ and bench/ import', () => {
    const undeclared = new Set<string>();
    for (const dir of ['src', 'templates', 'bench']) {
      for (const file of sourceFiles(join(RUNNER, dir))) {
        for (const name of packagesImported(readFileSync(file, 'utf8'))) {
          if (!(name in manifest.dependencies)) undeclared.add(`${name} (${file.slice(RUNNER.length)})`);
        }
      }
    }
    expect([...undeclared]).toEqual([]);
  });
});
