/**
 * A model with the default model's architecture and contract, random weights, written by
 * @tsfm/pretrain's own random-weight writer (its exporter and manifest builder) — so the client is
 * tested against exactly what the pretrain package ships, before (and independently of) a trained
 * default.onnx.
 */
import { writeRandomWeightModel, type ModelConfig } from './pretrain.js';
import { tempDir } from '../../../../test-fixtures/temp-dirs.js';

/** Writes default.onnx + model.json for a random-weight model; returns the manifest path. */
export function writePretrainShapedModel(overrides: Partial<ModelConfig> = {}, seed = 1): string {
  return writeRandomWeightModel(tempDir('tsfm-pretrain-shaped-'), {
    overrides,
    seed,
    purpose: 'tsfm-client tests',
  });
}
