// What the tests and the benchmark take from @tsfm/pretrain: its ONNX graph builder for the tiny
// deterministic models, and its exporter + manifest builder for default-shaped models.
export {
  GraphBuilder,
  buildOnnxModel,
  initParams,
  buildManifest,
  DEFAULT_CONFIG as PRETRAIN_DEFAULT_CONFIG,
  type ModelConfig,
  type TrainingSummary,
} from '@tsfm/pretrain';
