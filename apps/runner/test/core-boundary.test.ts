/**
 * core/ is the domain-free scheduler (see the design note in core/scheduler.ts). This test reads
 * every import in it and allows only core-internal modules and zod: no node:fs, no git, no
 * process launching, no planners, nothing from the forecasting packages.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../src/core', import.meta.url));
const ALLOWED_PACKAGES = new Set(['zod']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g,
  )) {
    found.push(match[1] ?? match[2] ?? match[3]);
  }
  return found;
}

describe('core/ boundary', () => {
  it('finds the imports it is checking', () => {
    expect(importsOf(readFileSync(join(CORE, 'scheduler.ts'), 'utf8'))).toContain('./priority-queue.js');
  });

  it('imports only core modules and zod', () => {
    const offences: string[] = [];
    for (const file of sourceFiles(CORE)) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const local = spec.startsWith('.') && !relative(CORE, resolve(dirname(file), spec)).startsWith('..');
        if (!local && !ALLOWED_PACKAGES.has(spec)) offences.push(`${relative(CORE, file)} imports ${spec}`);
      }
    }
    expect(offences).toEqual([]);
  });
});
