import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { mergeConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { packageTestConfig } from '../../vitest.shared.js';

/**
 * The files that run whole workflows (anchor, experiments through tsx, planner rounds, Slurm):
 * each takes a minute or more under load while most files take a second. Started first, they run
 * beside the short files instead of one of them starting last and running alone at the end. A
 * clean clone has no vitest cache of earlier durations, and vitest's fallback (largest file first)
 * would start workflow-run.test.ts, the longest, near the end. Order only: any order passes.
 */
const LONG_FIRST = [
  'workflow-run.test.ts',
  'slurm-integration.test.ts',
  'workflow-recovery.test.ts',
  'workflow-analysis-claude.test.ts',
  'workflow-planner-outage.test.ts',
  'workflow-confirmation.test.ts',
  'workflow-adapter.test.ts',
  'cli-sigkill.test.ts',
  'workflow-resume.test.ts',
  'report-outputs.test.ts',
  'workflow-anchor.test.ts',
];

class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const at = LONG_FIRST.indexOf(basename(file.moduleId));
      return at < 0 ? LONG_FIRST.length : at;
    };
    const size = (file: TestSpecification): number => statSync(file.moduleId).size;
    return [...files].sort((a, b) => rank(a) - rank(b) || size(b) - size(a));
  }
}

// Isolated: the CLI tests set the adapter module and poll interval in process.env for main().
// Generous limits, as a last guard only: these tests spawn the CLI, git, tsc and evaluation jobs,
// and under four busy loops on two cores one took 59 s against the old 60 s default.
// globalSetup bundles src/run.ts once per run for the tests that spawn the CLI (see the file).
// Three files at a time, not vitest's one on two cores: a file mostly waits for the processes it
// starts (the CLI, git, tsx jobs), using about half a core on average (437 CPU-s in 900 s, load 9),
// so one file at a time left the cores idle or, under load, held a small share of them.
export default mergeConfig(
  packageTestConfig(import.meta.dirname, { isolate: true, testTimeout: 300_000, hookTimeout: 300_000 }),
  {
    test: {
      globalSetup: ['test/fixtures/bundle-runner.ts'],
      maxWorkers: 3,
      minWorkers: 1,
      sequence: { sequencer: LongFirstSequencer },
    },
  },
);
