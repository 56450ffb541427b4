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

/**
 * Python (run in python/, e.g. with `python3 -c`) that builds `m`, a v2 model (hidden 64, 1 block)
 * with every parameter random, its example inputs `x` and `mask` ([4, 512]), and
 * `raw_export(path)`: torch.onnx.export with the trainer's arguments but without the graph passes
 * (python/tsfm_v2/graph_passes.py) that train.export_onnx applies afterwards.
 */
export const RANDOM_V2_MODEL_PY = `
import torch
from tsfm_v2.model import SeasonalMixtureForecaster
torch.manual_seed(3)
m = SeasonalMixtureForecaster(hidden=64, blocks=1)
with torch.no_grad():
    for p in m.parameters():
        p.normal_(0.0, 0.05)
m.eval()
x = torch.randn(4, 512)
mask = torch.ones(4, 512)
def raw_export(path):
    torch.onnx.export(m, (x, mask), path, input_names=["context", "mask"], output_names=["quantiles"],
        dynamic_axes={"context": {0: "batch"}, "mask": {0: "batch"}, "quantiles": {0: "batch"}},
        opset_version=17, do_constant_folding=True)
`;
