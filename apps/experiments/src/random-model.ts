/**
 * `--random-model`: a stand-in of the default model's architecture and contract with random
 * weights, written by @tsfm/pretrain's own exporter and manifest builder — so the whole pipeline
 * can run before (or without) a trained model. Its manifest says "random weights" and 0 training
 * steps, which provenance.ts reads to label every output NOT A RESULT. The tests' tiny model is
 * the same writer with a shrunk config.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest, buildOnnxModel, DEFAULT_CONFIG, initParams, type ModelConfig, type TrainingSummary } from '@tsfm/pretrain';

const UNTRAINED: TrainingSummary = {
  generator: 'none',
  corpus: 'none (random weights, @tsfm/experiments)',
  seed: 0,
  corpusSeed: 0,
  seriesGenerated: 0,
  samples: 0,
  steps: 0,
  batch: 0,
  heldOut: 'none',
  wallSeconds: 0,
  threads: 1,
  stoppedByTimeCap: false,
  hyperparameters: {},
};

/** Writes default.onnx + model.json (random weights, default architecture unless overridden) to a temporary folder; returns the manifest path. */
export function writeRandomModel(overrides: Partial<ModelConfig> = {}, seed = 1): string {
  const config: ModelConfig = { ...DEFAULT_CONFIG, ...overrides };
  const bytes = buildOnnxModel(config, initParams(config, seed));
  const dir = mkdtempSync(join(tmpdir(), 'tsfm-experiments-model-'));
  writeFileSync(join(dir, 'default.onnx'), bytes);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(buildManifest(config, bytes, 'default.onnx', UNTRAINED), null, 2));
  return join(dir, 'model.json');
}
