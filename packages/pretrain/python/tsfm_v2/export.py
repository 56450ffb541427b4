"""Exports a training checkpoint to ONNX without training further (pilots, inspection).

    /usr/bin/python3 -m tsfm_v2.export --checkpoint OUT/checkpoint.pt --held-out DIR --out FILE.onnx
"""

from __future__ import annotations

import argparse
import sys

import torch

from .model import SeasonalMixtureForecaster
from .train import WindowOptions, export_onnx, load_pool, sample_batch


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--held-out", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    state = torch.load(args.checkpoint)
    recipe = state["recipe"]
    model = SeasonalMixtureForecaster(
        recipe["hidden"], recipe["blocks"], references=recipe.get("architecture", "mixture") == "mixture"
    )
    model.load_state_dict(state["model"])
    batch = sample_batch(load_pool(args.held_out), 10_000_019, 0, 8, WindowOptions(mixup_prob=0.0))
    export_onnx(model, args.out, batch)
    print(f"exported step {state['step']} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
