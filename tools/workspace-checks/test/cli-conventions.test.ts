/**
 * Every command behaves the same (issue 14 §5): `--help` prints the usage and exits 0; a flag the
 * command does not know prints the usage on stderr and exits 2; neither prints a stack trace.
 *
 * The list is explicit, and a guard keeps it complete: any source file that reads
 * `process.argv` or calls `parseArgs(` must be listed below as a CLI or as not one, with why.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** Entry points run by people (or by npm scripts) with flags. */
const CLIS = [
  'apps/experiments/src/cli/experiments.ts',
  'apps/forecast-service/src/main.ts',
  'apps/runner/src/run.ts',
  'apps/runner/scripts/size-split.ts',
  'packages/archetypes/src/cli/evaluate-retrieval.ts',
  'packages/baselines/src/cli/evaluate.ts',
  'packages/pretrain/scripts/bench-ort.ts',
  'packages/pretrain/scripts/compare-models.ts',
  'packages/pretrain/scripts/eval-m4.ts',
  'packages/pretrain/scripts/eval-nab.ts',
  'packages/pretrain/scripts/export-weights.ts',
  'packages/pretrain/scripts/graph-ab.ts',
  'packages/pretrain/scripts/manifest-for-onnx.ts',
  'packages/pretrain/scripts/quantize-model.ts',
  'packages/pretrain/scripts/validate.ts',
  'packages/pretrain/src/cli/pretrain.ts',
  'packages/pretrain/src/cli/write-pool.ts',
  'packages/provisioning/src/cli/simulate.ts',
  'packages/workload-gen/src/cli/demo.ts',
  'packages/workload-gen/src/cli/workload-gen.ts',
];

/** Files that mention argv or parseArgs but are not entry points of their own. */
const NOT_CLIS: Record<string, string> = {
  'apps/experiments/src/cli-main.ts': "the experiments command's body (experiments.ts is the entry)",
  'apps/runner/src/cli/args.ts': "the runner's grammar (run.ts is the entry)",
  'packages/provisioning/src/cli/simulate-args.ts': "simulate's grammar",
  'packages/workload-gen/src/cli/args.ts': "workload-gen's grammar",
  'packages/pretrain/src/cli/pretrain-ts.ts': 'the body of `pretrain --trainer ts`',
  'packages/pretrain/scripts/script-cli.ts': "the pretrain scripts' shared argument handling",
  'apps/forecast-service/bench/load.bench.ts': 'a benchmark (nx bench), not a command',
  'apps/forecast-service/bench/cpu-per-forecast.bench.ts': 'a benchmark (docs/service.md), not a command',
  'apps/forecast-service/bench/outside-clock.bench.ts': 'a benchmark (docs/benchmarks.md), not a command',
  'apps/runner/bench/experiments-per-hour.bench.ts': 'a benchmark (nx bench), not a command',
  'apps/runner/bench/stand-in-model.ts': "a helper the runner benchmark's jobs run",
};

const SOURCE_DIRS = ['src', 'scripts', 'bench'];

function tsFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function filesReadingArgv(): string[] {
  const roots = ['apps', 'packages'].flatMap((top) =>
    readdirSync(join(REPO, top)).flatMap((pkg) => SOURCE_DIRS.map((dir) => join(REPO, top, pkg, dir))),
  );
  return roots
    .flatMap(tsFiles)
    .filter((file) => /process\.argv|\bparseArgs\(/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(REPO, file))
    .sort();
}

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(file: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const STACK_LINE = /^\s+at /m;
const USAGE = /usage/i;

describe('command-line conventions', () => {
  it('knows every file that reads the command line, as a CLI or as not one', () => {
    const known = new Set([...CLIS, ...Object.keys(NOT_CLIS)]);
    expect(filesReadingArgv().filter((file) => !known.has(file))).toEqual([]);
    for (const file of known) expect(statSync(join(REPO, file)).isFile(), file).toBe(true);
  });

  // Each CLI is two Node starts; they run a few at a time, and the timeout is only a last guard
  // against a command that starts real work instead of answering (a busy machine is slow, not wrong).
  describe.concurrent.each(CLIS)('%s', (file) => {
    it('prints its usage for --help and exits 0', async () => {
      const { code, stdout, stderr } = await runCli(file, ['--help']);
      expect({ code, stackTrace: STACK_LINE.test(stdout + stderr) }, stderr).toEqual({ code: 0, stackTrace: false });
      expect(stdout).toMatch(USAGE);
    }, 300_000);

    it('refuses an unknown flag with the usage on stderr and exit 2', async () => {
      const { code, stdout, stderr } = await runCli(file, ['--no-such-flag']);
      expect({ code, stackTrace: STACK_LINE.test(stdout + stderr) }, stderr).toEqual({ code: 2, stackTrace: false });
      expect(stderr).toMatch(/no-such-flag/);
      expect(stderr).toMatch(USAGE);
    }, 300_000);
  });
});
