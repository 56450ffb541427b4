/**
 * BENCH_MODEL=<model.json> (absolute, or relative to the repository root) runs a benchmark on
 * another manifest than the shipped default (an opt-in model such as packages/pretrain/model-int8,
 * for a side-by-side). Such a run only prints: docs/benchmarks.md reports the default model, whose
 * numbers the rest of the docs cite.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BenchModelChoice {
  readonly path: string;
  /** For the run's "Model:" line. */
  readonly note: string;
}

/** The manifest named by BENCH_MODEL, or undefined when it is not set. */
export function benchModelFromEnv(env: NodeJS.ProcessEnv = process.env): BenchModelChoice | undefined {
  const given = env.BENCH_MODEL;
  if (given === undefined || given === '') return undefined;
  // Relative to the repository root (npm runs a workspace's bench in the package's folder).
  const path = resolve(REPO_ROOT, given);
  if (!existsSync(path)) throw new Error(`BENCH_MODEL: no manifest at ${path}`);
  return { path, note: `the manifest in BENCH_MODEL (${path})` };
}
