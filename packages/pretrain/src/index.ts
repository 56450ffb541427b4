/**
 * @tsfm/pretrain: the project's own compact quantile forecaster — architecture, reference forward
 * pass, hand-written backward pass, training loop, and the ONNX writer that exports it.
 */
export { GraphBuilder, OnnxGraphError, type AttrValue, type Dim, type ModelOptions } from './onnx/index.js';
export { DEFAULT_CONFIG, QUANTILE_LEVELS, type ModelConfig } from './model/config.js';
export { buildOnnxModel, INPUT_NAME, MASK_NAME, OUTPUT_NAME, OPSET, IR_VERSION } from './model/export-onnx.js';
export { forward, backward, denormalise, pinballLossAndGrad, Workspace } from './model/forward.js';
export { initParams, paramCount, paramLayout, viewParams } from './model/params.js';
export { loadWeights, saveWeights } from './model/weights.js';
export { buildManifest, sha256, type Manifest, type TrainingSummary } from './manifest.js';
export { writeRandomWeightModel, type RandomModelOptions } from './random-model.js';
export { train, DEFAULT_TRAIN, type TrainOptions, type TrainResult, type CurvePoint } from './train.js';
export { Rng } from './rng.js';
export {
  VALIDATION_SET_NAME,
  m4HistoryWindows,
  nabHistoryWindows,
  type ValidationWindow,
} from './validation/validation-set.js';
export {
  POOL_FAMILIES,
  DEFAULT_POOL_FAMILIES,
  parsePoolFamilies,
  HELD_OUT_POOL_BASE,
  generateChunk,
  writeChunks,
  writePoolIndex,
  readMatchingPool,
  type PoolSpec,
} from './data/pool.js';
export { dropsCorpusSeries, type DropsMechanism } from './data/drops-corpus.js';
export { noisyCorpusSeries, type NoiseShape } from './data/noisy-corpus.js';
export { buildTorchManifest, type TorchManifest } from './manifest.js';
export {
  runTorchPretrain,
  DEFAULT_TORCH_PRETRAIN,
  V2_MODEL_NAME,
  type TorchPretrainOptions,
} from './torch/pipeline.js';
