/**
 * Every experiment must type-check before it is launched: `tsc --noEmit -p tsconfig.json` in its
 * worktree, with the template's own tsconfig (frozen). A type error is a failed experiment that
 * never cost a run.
 *
 * tsc takes seconds, and most experiments only change params.json, which tsc does not read. The
 * result depends only on the sources it checks, so it is cached by a hash of every `.ts` file and
 * the tsconfig in the worktree: an unpatched experiment on an already-checked commit skips tsc.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ExperimentFailure, firstLines } from '../experiment/failures.js';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const TYPECHECK_TIMEOUT_MS = 180_000;

/** Hash of what tsc reads in the worktree: top-level .ts files, tsconfig.json and package.json. */
export async function sourceHash(worktree: string): Promise<string> {
  const names = (await readdir(worktree))
    .filter((name) => name.endsWith('.ts') || name === 'tsconfig.json' || name === 'package.json')
    .sort();
  const hash = createHash('sha256');
  for (const name of names) {
    hash.update(name + '\0');
    hash.update(await readFile(join(worktree, name)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Throws ExperimentFailure('typecheck') with tsc's first errors. */
export async function typeCheck(worktree: string, signal?: AbortSignal): Promise<void> {
  const result = await execa(process.execPath, [TSC, '--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'], {
    cwd: worktree,
    reject: false,
    all: true,
    timeout: TYPECHECK_TIMEOUT_MS,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  signal?.throwIfAborted();
  if (result.exitCode === 0) return;
  const output = result.all ?? '';
  const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
  const shown = errors.length > 0 ? errors : [output || result.message];
  throw new ExperimentFailure(
    'typecheck',
    `tsc found ${errors.length || 'some'} error(s):\n${firstLines(shown.join('\n'), 10)}`,
  );
}
