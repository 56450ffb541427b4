// Locates /work/shared/data-style real data for the loader tests: `../shared/data` relative to the
// repository root, where the root is found by walking up from this file to the first `.git`
// (a directory in a clone, a file in a git worktree).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function findRepositoryRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

const root = findRepositoryRoot(import.meta.dirname);

/** Absolute path of `../shared/data/<sub>` next to the repository, or undefined when absent. */
export function sharedDataPath(...sub: string[]): string | undefined {
  if (root === undefined) return undefined;
  const path = resolve(root, '..', 'shared', 'data', ...sub);
  return existsSync(path) ? path : undefined;
}

export function missingDataReason(sub: string): string {
  return `skipped: real data ../shared/data/${sub} (relative to the repository root ${root ?? '(not found)'}) is absent`;
}
