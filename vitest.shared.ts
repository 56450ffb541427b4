// Shared vitest settings: every package also writes a JSON report so `npm test` can close with
// one "N passed, N failed" line across the whole monorepo (scripts/test-summary.mjs).
import { basename, join } from 'node:path';
import { defineConfig } from 'vitest/config';

export interface PackageTestOptions {
  readonly testTimeout?: number;
  readonly hookTimeout?: number;
  /**
   * A fresh module graph per test file. Off by default: on two cores vitest runs one worker, and
   * re-importing the package (and onnxruntime, tfjs, zod…) for every file cost more CPU than the
   * tests themselves (losses: 10.3 → 4.5 CPU-seconds). Turn it on for a package whose tests change
   * process-wide state (environment variables, module mocks) that a later file would inherit.
   */
  readonly isolate?: boolean;
}

export function packageTestConfig(packageDir: string, options: PackageTestOptions = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 60_000,
      ...(options.hookTimeout === undefined ? {} : { hookTimeout: options.hookTimeout }),
      isolate: options.isolate ?? false,
      // A temp dir per package run, checked empty at the end (see the file for why).
      globalSetup: [join(import.meta.dirname, 'test-fixtures/private-tmpdir.ts')],
      // Read vitest's RPC replies between tests on a busy machine; remove each file's temp dirs.
      setupFiles: [
        join(import.meta.dirname, 'test-fixtures/yield-between-tests.ts'),
        join(import.meta.dirname, 'test-fixtures/remove-temp-dirs.ts'),
      ],
      reporters: ['default', 'json'],
      outputFile: { json: `../../.test-results/${basename(packageDir)}.json` },
    },
  });
}
