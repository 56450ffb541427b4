/**
 * vitest globalSetup of every package (vitest.shared.ts): the package's test run gets a temp dir of
 * its own (TMPDIR, which os.tmpdir(), the test workers and every process they start inherit), and
 * the run fails if its tests left anything in it. The directory is removed either way.
 *
 * Why: tests that left their directories behind had filled /tmp with ~9,000 of them (13 GB) after
 * a few runs. One directory per package run makes the check exact while nx runs packages side by
 * side: nothing another package writes lands in it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * What tools write to the temp dir and keep on purpose, removed with it at the end of the run:
 * tsx's transform cache (tsx-<uid>; the runner's jobs run through tsx), the runner's anchored
 * workdir that its test files share (workflow-helpers.ts), and the files onnxruntime's native
 * library writes in every process that loads it (.ses, mat-debug-<pid>.log).
 */
const RUN_CACHES = [/^tsx-\d+$/, /^tsfm-workflow-test-anchor-/, /^\.ses$/, /^mat-debug-\d+\.log$/];

export default function privateTmpdir(project: TestProject): () => void {
  const outer = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), `vitest-${basename(project.config.root)}-`));
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir).filter((name) => !RUN_CACHES.some((cache) => cache.test(name)));
    rmSync(dir, { recursive: true, force: true });
    if (outer === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = outer;
    if (left.length > 0)
      throw new Error(
        `the tests left ${left.length} entries in the temp dir (make them with tempDir from ` +
          `test-fixtures/temp-dirs.ts, or remove them): ${left.slice(0, 20).join(', ')}`,
      );
  };
}
