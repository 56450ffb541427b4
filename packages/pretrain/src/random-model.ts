/**
 * A model with the default forecaster's architecture, contract and manifest but random weights:
 * what tests, benchmarks and `--random-model` runs use before (or without) the trained default.
 * One call costs what a trained model's call costs; its forecasts mean nothing, and its manifest
 * says so (0 training steps, corpus "none (random weights, <purpose>)"), which is how downstream
 * tools label such output NOT A RESULT.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildManifest, untrainedSummary, type TrainingSummary } from './manifest.js';
import { DEFAULT_CONFIG, type ModelConfig } from './model/config.js';
import { buildOnnxModel } from './model/export-onnx.js';
import { initParams } from './model/params.js';

export interface RandomModelOptions {
  /** Architecture changes from DEFAULT_CONFIG (tests shrink it). */
  readonly overrides?: Partial<ModelConfig>;
  /** Seed of the weights; the same seed writes the same bytes. */
  readonly seed?: number;
  /** Who wrote it, for the manifest's corpus line. */
  readonly purpose: string;
}

/** Writes `<dir>/default.onnx` and `<dir>/model.json`; returns the manifest's path. */
export function writeRandomWeightModel(dir: string, options: RandomModelOptions): string {
  const config: ModelConfig = { ...DEFAULT_CONFIG, ...options.overrides };
  const bytes = buildOnnxModel(config, initParams(config, options.seed ?? 1));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'default.onnx'), bytes);
  const manifest = buildManifest(config, bytes, 'default.onnx', untrained(options.purpose));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2) + '\n');
  return join(dir, 'model.json');
}

function untrained(purpose: string): TrainingSummary {
  return untrainedSummary('none', `none (random weights, ${purpose})`, 'none');
}
