/**
 * A model with the default model's architecture and contract, random weights, written by
 * @tsfm/pretrain's own exporter and manifest builder — so the client is tested against exactly
 * what the pretrain package ships, before (and independently of) a trained default.onnx.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildManifest,
  buildOnnxModel,
  initParams,
  PRETRAIN_DEFAULT_CONFIG,
  type ModelConfig,
  type TrainingSummary,
} from './pretrain.js';

const UNTRAINED: TrainingSummary = {
  generator: 'none',
  corpus: 'none (random weights, tsfm-client tests)',
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

/** Writes default.onnx + model.json for a random-weight model; returns the manifest path. */
export function writePretrainShapedModel(overrides: Partial<ModelConfig> = {}, seed = 1): string {
  const config: ModelConfig = { ...PRETRAIN_DEFAULT_CONFIG, ...overrides };
  const bytes = buildOnnxModel(config, initParams(config, seed));
  const dir = mkdtempSync(join(tmpdir(), 'tsfm-pretrain-shaped-'));
  writeFileSync(join(dir, 'default.onnx'), bytes);
  const manifest = buildManifest(config, bytes, 'default.onnx', UNTRAINED);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
  return join(dir, 'model.json');
}
