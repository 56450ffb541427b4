/**
 * `--random-model`: a stand-in of the default model's architecture and contract with random
 * weights, written by @tsfm/pretrain's own exporter and manifest builder — so the whole pipeline
 * can run before (or without) a trained model. Its manifest says "random weights" and 0 training
 * steps, which provenance.ts reads to label every output NOT A RESULT. The tests' tiny model is
 * the same writer with a shrunk config.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRandomWeightModel, type ModelConfig } from '@tsfm/pretrain';

/**
 * Writes default.onnx + model.json (random weights, default architecture unless overridden) to
 * `dir`, by default a new temporary folder; returns the manifest path.
 */
export function writeRandomModel(
  overrides: Partial<ModelConfig> = {},
  seed = 1,
  dir = mkdtempSync(join(tmpdir(), 'tsfm-experiments-model-')),
): string {
  return writeRandomWeightModel(dir, {
    overrides,
    seed,
    purpose: '@tsfm/experiments',
  });
}
