import { DEFAULT_TORCH_PRETRAIN, type TorchPretrainOptions } from '../../src/torch/pipeline.js';

/** A v2 pretraining run small enough for a test: seconds of pool writing and training. */
export function tinyTorchOptions(
  out: string,
  work: string,
  overrides: Partial<TorchPretrainOptions> = {},
): TorchPretrainOptions {
  return {
    ...DEFAULT_TORCH_PRETRAIN,
    out,
    work,
    steps: 8,
    batch: 16,
    hidden: 32,
    blocks: 1,
    warmup: 2,
    evalEvery: 4,
    checkpointEvery: 4,
    heldOutRows: 16,
    poolSeries: 96,
    poolLength: 640,
    heldOutSeries: 24,
    poolWorkers: 1,
    version: '0.0.0-test',
    log: () => {},
    ...overrides,
  };
}
