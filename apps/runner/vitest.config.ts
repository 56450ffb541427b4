import { mergeConfig } from 'vitest/config';
import { packageTestConfig } from '../../vitest.shared.js';

// Isolated: the CLI tests set the adapter module and poll interval in process.env for main().
// Generous limits, as a last guard only: these tests spawn the CLI, git, tsc and evaluation jobs,
// and under four busy loops on two cores one took 59 s against the old 60 s default.
// globalSetup bundles src/run.ts once per run for the tests that spawn the CLI (see the file).
export default mergeConfig(
  packageTestConfig(import.meta.dirname, { isolate: true, testTimeout: 300_000, hookTimeout: 300_000 }),
  { test: { globalSetup: ['test/fixtures/bundle-runner.ts'] } },
);
