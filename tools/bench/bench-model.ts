/**
 * Which model a latency benchmark runs. BENCH_MODEL=<model.json> (absolute, or relative to the
 * repository root) runs another manifest than the shipped default (an opt-in model such as
 * packages/pretrain/model-int8, for a side-by-side); such a run only prints: docs/benchmarks.md
 * reports the default model, whose numbers the rest of the docs cite. Without BENCH_MODEL: the
 * shipped default, or before one exists a random-weight stand-in of the same architecture.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_MANIFEST = resolve(REPO_ROOT, 'packages', 'pretrain', 'model', 'model.json');

export interface BenchModelChoice {
  readonly path: string;
  /** For the run's "Model:" line. */
  readonly note: string;
}

export interface BenchModel extends BenchModelChoice {
  /** False for a BENCH_MODEL run: it prints its figures but leaves docs/benchmarks.md alone. */
  readonly writesReport: boolean;
}

/**
 * BENCH_MODEL's manifest, else the shipped default, else the stand-in `writeStandIn` writes (a
 * random-weight model with the default architecture: latency does not depend on the weights).
 */
export function chooseBenchModel(writeStandIn: () => string, env: NodeJS.ProcessEnv = process.env): BenchModel {
  const chosen = benchModelFromEnv(env);
  if (chosen !== undefined) return { ...chosen, writesReport: false };
  if (existsSync(DEFAULT_MANIFEST)) {
    return {
      path: DEFAULT_MANIFEST,
      note: 'the shipped default model (packages/pretrain/model/model.json)',
      writesReport: true,
    };
  }
  return {
    path: writeStandIn(),
    note: "a random-weight model with the default model's architecture and contract, written by @tsfm/pretrain's exporter — packages/pretrain/model/model.json did not exist yet; latency does not depend on the weights",
    writesReport: true,
  };
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
