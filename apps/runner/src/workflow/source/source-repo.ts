/**
 * The workdir's experiment source: a git repo (`<workdir>/source`) holding the template, committed
 * once — the anchor — and one worktree per experiment (`<workdir>/worktrees/<id>`, branch
 * `exp/<id>`) whose params and patch are committed on top of the anchor or of the commit the
 * experiment builds on. A commit is then exactly "what was tried", and `git diff` between two
 * experiments is the difference between them.
 */
import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { simpleGit, type SimpleGit } from 'simple-git';
import { ExperimentFailure, firstLines } from '../experiment/failures.js';
import type { WorkflowPaths } from '../state/workflow-paths.js';

/** Local identity for the runner's commits: CI machines often have none configured. */
const GIT_IDENTITY: readonly [string, string][] = [
  ['user.name', 'tsfm-runner'],
  ['user.email', 'runner@tsfm.invalid'],
  ['commit.gpgsign', 'false'],
];

function git(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, trimmed: true });
}

/**
 * The monorepo's node_modules, found through tsx (which the runner itself runs under): the
 * template's code imports @tsfm/* packages and must resolve them from a workdir anywhere on disk.
 */
export function monorepoNodeModules(): string {
  return dirname(dirname(tsxPackageJson()));
}

function tsxPackageJson(): string {
  // createRequire rather than import.meta.resolve: the latter is missing under vitest's transform.
  return createRequire(import.meta.url).resolve('tsx/package.json');
}

/** tsx's ESM loader as a file URL, for `node --import <url>` from any working directory. */
export function tsxLoaderUrl(): string {
  const manifest = JSON.parse(readFileSync(tsxPackageJson(), 'utf8')) as { exports?: { '.'?: unknown } };
  const entry = manifest.exports?.['.'];
  const relative =
    typeof entry === 'string'
      ? entry
      : ((entry as { import?: { default?: string } | string } | undefined)?.import ?? './dist/loader.mjs');
  const file = typeof relative === 'string' ? relative : (relative.default ?? './dist/loader.mjs');
  return pathToFileURL(join(dirname(tsxPackageJson()), file)).href;
}

/** `<workdir>/node_modules` → the monorepo's, so Node and tsc resolve from source/ and worktrees/. */
export async function linkNodeModules(paths: WorkflowPaths): Promise<void> {
  const existing = await lstat(paths.nodeModules).catch(() => undefined);
  if (existing) return; // ours from an earlier session, or the person's own: leave it
  await symlink(monorepoNodeModules(), paths.nodeModules, 'dir');
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

export async function hashFiles(dir: string, files: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of files) out[file] = await sha256File(join(dir, file));
  return out;
}

/**
 * Copies the template into a fresh `source/`, commits it and returns the anchor commit. A
 * `source/` left by a first run that died before recording its anchor is replaced.
 */
export async function createAnchor(paths: WorkflowPaths, templateDir: string, templateName: string): Promise<string> {
  await rm(paths.source, { recursive: true, force: true });
  await rm(paths.worktrees, { recursive: true, force: true });
  await cp(templateDir, paths.source, {
    recursive: true,
    filter: (from) => !/(^|\/)(node_modules|\.git)(\/|$)/.test(from.slice(templateDir.length)),
  });
  const repo = git(paths.source);
  await repo.raw(['init', '-q']);
  for (const [key, value] of GIT_IDENTITY) await repo.addConfig(key, value);
  await repo.raw(['checkout', '-q', '-b', 'anchor']);
  await repo.add(['-A']);
  await repo.commit(`anchor: template ${templateName}`);
  return repo.revparse(['HEAD']);
}

/**
 * Worktree bookkeeping is serialised per source repo: with concurrency > 1, one experiment's
 * `worktree prune` ran while another's `worktree add` was half-written and git failed with
 * "failed to read .git/worktrees/<id>/commondir". Git does not lock .git/worktrees for this.
 */
const worktreeQueues = new Map<string, Promise<unknown>>();

function serialisedPerRepo<T>(source: string, task: () => Promise<T>): Promise<T> {
  const previous = worktreeQueues.get(source) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(task);
  worktreeQueues.set(source, next);
  return next;
}

/**
 * A clean worktree of `baseCommit` for experiment `id`. Whatever an earlier, interrupted attempt
 * left (directory, registration, branch) is replaced: preparing is repeatable by design.
 */
export async function createWorktree(paths: WorkflowPaths, id: string, baseCommit: string): Promise<string> {
  const dir = paths.worktree(id);
  const repo = git(paths.source);
  try {
    await serialisedPerRepo(paths.source, async () => {
      await rm(dir, { recursive: true, force: true });
      await repo.raw(['worktree', 'prune']);
      await mkdir(paths.worktrees, { recursive: true });
      await repo.raw(['worktree', 'add', '-q', '-f', '-B', `exp/${id}`, dir, baseCommit]);
    });
  } catch (error) {
    throw new ExperimentFailure(
      'prepare',
      `git worktree add at ${baseCommit.slice(0, 12)} failed: ${firstLines((error as Error).message)}`,
    );
  }
  return dir;
}

/** `git apply --check` first, so a patch that does not apply leaves the worktree untouched. */
export async function applyPatch(worktree: string, patchFile: string): Promise<void> {
  const repo = git(worktree);
  // --recount: hunk headers written by hand (or by a model) often miscount lines; the context
  // lines, not the counts, are what must match.
  const args = ['--recount', '--whitespace=nowarn', patchFile];
  try {
    await repo.raw(['apply', '--check', ...args]);
    await repo.raw(['apply', ...args]);
  } catch (error) {
    throw new ExperimentFailure('patch', `the patch does not apply: ${firstLines((error as Error).message)}`);
  }
}

/** Paths that differ from HEAD in the worktree (modified, added, deleted, untracked). */
export async function changedPaths(worktree: string): Promise<string[]> {
  const repo = git(worktree);
  // Name-only listings (NUL-separated, unquoted): status lines start with a space that output
  // trimming would eat, and quoting would mangle unusual names.
  const tracked = await repo.raw(['diff', '--name-only', '-z', '--no-renames', 'HEAD']);
  const untracked = await repo.raw(['ls-files', '-z', '--others', '--exclude-standard']);
  return [...new Set(`${tracked}\0${untracked}`.split('\0').filter((name) => name.length > 0))];
}

/** Problems with the frozen files of a worktree, compared with their anchor hashes (empty: intact). */
export async function frozenProblems(worktree: string, frozen: Readonly<Record<string, string>>): Promise<string[]> {
  const problems: string[] = [];
  for (const [file, expected] of Object.entries(frozen)) {
    const actual = await sha256File(join(worktree, file)).catch(() => null);
    if (actual === null) problems.push(`${file} is missing`);
    else if (actual !== expected)
      problems.push(`${file} differs from the anchor (sha256 ${actual.slice(0, 12)}, anchor ${expected.slice(0, 12)})`);
  }
  return problems;
}

export async function commitAll(worktree: string, message: string): Promise<string> {
  const repo = git(worktree);
  try {
    await repo.add(['-A']);
    // --allow-empty: a repeat of the base's exact params is still its own experiment.
    await repo.raw(['commit', '-q', '--allow-empty', '-m', message]);
    return await repo.revparse(['HEAD']);
  } catch (error) {
    throw new ExperimentFailure('prepare', `git commit failed: ${firstLines((error as Error).message)}`);
  }
}

export async function readFileAtCommit(source: string, commit: string, file: string): Promise<string> {
  return git(source).show([`${commit}:${file}`]);
}
