// What the tests and the benchmark take from @tsfm/pretrain: its ONNX graph builder for the tiny
// deterministic models, and its random-weight writer for default-shaped models.
export { GraphBuilder, writeRandomWeightModel, type ModelConfig } from '@tsfm/pretrain';
