/**
 * Temp directories for tests, removed when the test file that made them ends: every package's
 * vitest config loads remove-temp-dirs.ts, which registers the removal after each file. A test
 * that needs a directory calls `tempDir('prefix-')` instead of `mkdtempSync(join(tmpdir(), …))`
 * and has nothing to clean up itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made so far (remove-temp-dirs.ts calls it after each file). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
