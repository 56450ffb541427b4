"""Exports a training checkpoint to ONNX without training further (pilots, inspection, and the
pipeline's calibrated export).

    /usr/bin/python3 -m tsfm_v2.export --checkpoint OUT/checkpoint.pt --held-out DIR --out FILE.onnx \
        [--spread d1,...,d12] [--reference reference-outputs.json]

--spread sets the model's increment factors (the spread calibration, src/calibration/spread.ts)
before export; --reference writes torch's outputs on held-out windows for the ONNX parity check.
The file is torch.onnx.export's graph after the graph passes (graph_passes.py: Softplus
decomposed), as every export of train.export_onnx; the pass is deterministic (the same torch
graph in, the same bytes out), so re-exporting the shipped checkpoint gives model/default.onnx.
"""

from __future__ import annotations

import argparse
import sys

import torch

from .model import SeasonalMixtureForecaster
from .train import WindowOptions, export_onnx, load_pool, sample_batch, write_reference


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--held-out", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--spread", default=None)
    p.add_argument("--reference", default=None)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    state = torch.load(args.checkpoint)
    recipe = state["recipe"]
    model = SeasonalMixtureForecaster(
        recipe["hidden"], recipe["blocks"], references=recipe.get("architecture", "mixture") == "mixture"
    )
    model.load_state_dict(state["model"])
    if args.spread is not None:
        factors = [float(x) for x in args.spread.split(",")]
        if len(factors) != model.spread.numel() or not all(f > 0 and f < 1e3 for f in factors):
            p.error(f"--spread needs {model.spread.numel()} factors in (0, 1000), got {args.spread}")
        model.spread.copy_(torch.tensor(factors))
    batch = sample_batch(load_pool(args.held_out), 10_000_019, 0, 8, WindowOptions(mixup_prob=0.0))
    export_onnx(model, args.out, batch)
    if args.reference is not None:
        write_reference(model, args.reference, batch)
    print(f"exported step {state['step']} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
