// Shared vitest settings: every package also writes a JSON report so `npm test` can close with
// one "N passed, N failed" line across the whole monorepo (scripts/test-summary.mjs).
import { basename } from 'node:path';
import { defineConfig } from 'vitest/config';

export function packageTestConfig(packageDir: string, overrides: { testTimeout?: number } = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: overrides.testTimeout ?? 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: `../../.test-results/${basename(packageDir)}.json` },
    },
  });
}
