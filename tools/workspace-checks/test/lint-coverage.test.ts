/**
 * Lint and format run in `make test` (issue 14 §2): one ESLint run over the whole repository (the
 * workspace-checks `lint` target) and one Prettier check. This proves the wiring and that the
 * ESLint config is the one in force: an unawaited promise and a `!` in a package's src/ are
 * reported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

describe('lint and format coverage', () => {
  it('make test runs lint and format-check beside the tests', () => {
    const root = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(root.scripts['test']).toMatch(/nx run-many -t lint format-check test\b/);
  });

  it('the ESLint config in force reports a floating promise and a non-null assertion in shipped code', async () => {
    const eslint = new ESLint({ cwd: REPO });
    // A path inside a project, so the type-aware rules get that project's program; the text is
    // linted in memory, never written.
    const filePath = join(REPO, 'packages', 'losses', 'src', 'pinball.ts');
    const source = [
      'export async function later(): Promise<number> {',
      '  return 1;',
      '}',
      'export function probe(xs: number[]): number {',
      '  later();',
      '  return xs[0]!;',
      '}',
      '',
    ].join('\n');
    const [result] = await eslint.lintText(source, { filePath });
    const rules = result?.messages.map((m) => m.ruleId).sort();
    expect(rules).toEqual([
      '@typescript-eslint/no-floating-promises',
      '@typescript-eslint/no-non-null-assertion',
      '@typescript-eslint/no-unnecessary-type-assertion',
    ]);
  }, 300_000); // a last guard only: building the package's type information takes seconds
});
