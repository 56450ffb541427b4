"""Trains the v2 forecaster on a pool and exports it to ONNX.

Run by `npm run pretrain` (packages/pretrain/src/cli/pretrain.ts), which writes the pool, starts
this script with Debian's /usr/bin/python3, reads its JSON progress lines from stdout and writes
the manifest. Run alone:

    /usr/bin/python3 -m tsfm_v2.train --pool DIR --held-out DIR --out DIR --seed 1 --steps 20000

Resumable: every --checkpoint-every steps the model, optimiser, step and curve go to
OUT/checkpoint.pt (temp file + rename); a restart with the same arguments continues from it and,
because batch t is a pure function of (seed, t), reaches the same weights as an uninterrupted run.
A restart with different arguments is refused (the checkpoint records them).

Why PyTorch for this one step: the hand-written TypeScript backprop trains ~700 windows/s;
torch on one OpenBLAS thread ~1,000–2,500 windows/s for this 2.2 M-parameter model on a loaded
2-core machine — the difference between 1 M and 10 M training windows in the time budget.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch

from .graph_passes import apply_export_passes
from .model import CONTEXT, HORIZON, LEVELS, SeasonalMixtureForecaster, parameter_count
from .windows import WindowOptions, load_pool, sample_batch, seasonal_scale

TARGET_CLIP = 100.0


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pool", required=True)
    p.add_argument("--held-out", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=20000)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--blocks", type=int, default=2)
    p.add_argument("--architecture", choices=["mixture", "plain"], default="mixture")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=500)
    p.add_argument("--min-lr-fraction", type=float, default=0.05)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--clip-norm", type=float, default=1.0)
    p.add_argument("--loss-weighting", choices=["std", "seasonal"], default="seasonal")
    p.add_argument("--max-weight", type=float, default=10.0)
    p.add_argument("--mixup-prob", type=float, default=0.3)
    p.add_argument("--full-context-prob", type=float, default=0.6)
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--checkpoint-every", type=int, default=500)
    p.add_argument("--held-out-rows", type=int, default=1024)
    p.add_argument("--max-minutes", type=float, default=110.0)
    p.add_argument("--threads", type=int, default=1)
    # Not part of the recipe: stop (checkpointed, exit code 3) after this step, as a kill would.
    p.add_argument("--stop-after", type=int, default=None)
    return p.parse_args(argv)


# Arguments that change the weights; a checkpoint only resumes a run with the same values.
RECIPE_KEYS = [
    "seed", "steps", "batch", "hidden", "blocks", "architecture", "lr", "warmup", "min_lr_fraction", "weight_decay",
    "clip_norm", "loss_weighting", "max_weight", "mixup_prob", "full_context_prob",
]


def recipe(args) -> dict:
    return {k: getattr(args, k) for k in RECIPE_KEYS}


def lr_at(step: int, args) -> float:
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return args.lr * (args.min_lr_fraction + (1 - args.min_lr_fraction) * cosine)


def pinball(qn: torch.Tensor, yn: torch.Tensor, tmask: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    """Per-window mean pinball over levels and observed horizon steps, on the normalised scale."""
    diff = yn.unsqueeze(2) - qn
    loss = torch.maximum(levels * diff, (levels - 1) * diff)
    per_step = loss.mean(dim=2) * tmask
    return per_step.sum(dim=1) / tmask.sum(dim=1).clamp(min=1.0)


def normalised_target(model, ctx, mask, tgt):
    _, mu, s = model.normalise(ctx, mask)
    return ((tgt - mu) / s).clamp(-TARGET_CLIP, TARGET_CLIP)


def window_weights(ctx: np.ndarray, mask: np.ndarray, args) -> np.ndarray:
    if args.loss_weighting == "std":
        return np.ones(ctx.shape[0], dtype=np.float32)
    n = np.maximum(mask.sum(axis=1, keepdims=True), 1)
    mu = (ctx * mask).sum(axis=1, keepdims=True) / n
    sd = np.sqrt((((ctx - mu) * mask) ** 2).sum(axis=1, keepdims=True) / n) + 1e-4 * np.abs(mu) + 1e-8
    z = mask * (ctx - mu) / sd
    w = 1.0 / np.maximum(seasonal_scale(z, mask), 1.0 / args.max_weight)
    return (w / w.mean()).astype(np.float32)


def held_out_batch(held: np.ndarray, args):
    opts = WindowOptions(full_context_prob=args.full_context_prob, mixup_prob=0.0)
    return sample_batch(held, 10_000_019, 0, args.held_out_rows, opts)


@torch.no_grad()
def held_out_loss(model, batch, levels) -> float:
    ctx, mask, tgt, tmask = (torch.from_numpy(a) for a in batch)
    qn, _, _ = model.forward_normalised(ctx, mask)
    yn = normalised_target(model, ctx, mask, tgt)
    return float(pinball(qn, yn, tmask, levels).mean())


def save_checkpoint(path: str, state: dict) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    torch.save(state, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def export_onnx(model, path: str, reference_batch) -> None:
    model.eval()
    ctx = torch.from_numpy(reference_batch[0][:4])
    mask = torch.from_numpy(reference_batch[1][:4])
    torch.onnx.export(
        model,
        (ctx, mask),
        path,
        input_names=["context", "mask"],
        output_names=["quantiles"],
        dynamic_axes={"context": {0: "batch"}, "mask": {0: "batch"}, "quantiles": {0: "batch"}},
        opset_version=17,
        do_constant_folding=True,
    )
    # Every export gets the same rewrites (Softplus decomposed), so a re-export of the shipped
    # checkpoint gives the shipped bytes.
    apply_export_passes(path)


def write_reference(model, path: str, batch) -> None:
    """Inputs and torch outputs for a few held-out windows: the ONNX parity check in TypeScript reads them."""
    with torch.no_grad():
        ctx = torch.from_numpy(batch[0][:8])
        mask = torch.from_numpy(batch[1][:8])
        q = model(ctx, mask)
    with open(path, "w", encoding="utf8") as f:
        json.dump({"context": ctx.tolist(), "mask": mask.tolist(), "quantiles": q.tolist()}, f)


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    pool = load_pool(args.pool)
    held = load_pool(args.held_out)
    emit("pool", series=int(pool.shape[0]), length=int(pool.shape[1]), heldOutSeries=int(held.shape[0]))
    model = SeasonalMixtureForecaster(args.hidden, args.blocks, references=args.architecture == "mixture")
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    levels = torch.tensor(LEVELS, dtype=torch.float32)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    step = 0
    curve = []
    wall_before = 0.0
    if os.path.exists(ckpt_path):
        state = torch.load(ckpt_path)
        if state["recipe"] != recipe(args):
            diff = {k: (state["recipe"].get(k), v) for k, v in recipe(args).items() if state["recipe"].get(k) != v}
            print(f"{ckpt_path}: checkpoint was written by a different recipe {diff}; move it away to start over",
                  file=sys.stderr)
            return 2
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step = state["step"]
        curve = state["curve"]
        wall_before = state.get("wallSeconds", 0.0)
        emit("resumed", step=step)
    emit("start", parameters=parameter_count(model), recipe=recipe(args))
    held_batch = held_out_batch(held, args)
    opts = WindowOptions(full_context_prob=args.full_context_prob, mixup_prob=args.mixup_prob)
    t0 = time.time()
    stopped_by_cap = False
    run_loss = 0.0
    run_n = 0
    windows_since = 0
    t_since = time.time()
    model.train()
    while step < args.steps:
        if (time.time() - t0) / 60 + wall_before / 60 > args.max_minutes:
            stopped_by_cap = True
            break
        ctx_np, mask_np, tgt_np, tmask_np = sample_batch(pool, args.seed, step, args.batch, opts)
        weights = torch.from_numpy(window_weights(ctx_np, mask_np, args))
        ctx, mask, tgt, tmask = (torch.from_numpy(a) for a in (ctx_np, mask_np, tgt_np, tmask_np))
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        qn, _, _ = model.forward_normalised(ctx, mask)
        yn = normalised_target(model, ctx, mask, tgt)
        loss = (pinball(qn, yn, tmask, levels) * weights).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip_norm)
        opt.step()
        step += 1
        run_loss += float(loss)
        run_n += 1
        windows_since += args.batch
        if step % args.eval_every == 0 or step == args.steps:
            model.eval()
            ho = held_out_loss(model, held_batch, levels)
            model.train()
            now = time.time()
            point = {
                "step": step,
                "trainLoss": run_loss / max(1, run_n),
                "heldOutLoss": ho,
                "lr": lr_at(step - 1, args),
                "elapsedS": wall_before + now - t0,
                "windowsPerS": windows_since / max(1e-9, now - t_since),
            }
            curve.append(point)
            emit("eval", **point)
            run_loss, run_n, windows_since, t_since = 0.0, 0, 0, now
        if step % args.checkpoint_every == 0 or step == args.steps or step == args.stop_after:
            save_checkpoint(ckpt_path, {
                "recipe": recipe(args), "model": model.state_dict(), "optimizer": opt.state_dict(),
                "step": step, "curve": curve, "wallSeconds": wall_before + time.time() - t0,
            })
        if step == args.stop_after:
            emit("interrupted", step=step)
            return 3
    wall = wall_before + time.time() - t0
    if stopped_by_cap:
        save_checkpoint(ckpt_path, {
            "recipe": recipe(args), "model": model.state_dict(), "optimizer": opt.state_dict(),
            "step": step, "curve": curve, "wallSeconds": wall,
        })
    onnx_path = os.path.join(args.out, "default.onnx")
    export_onnx(model, onnx_path, held_batch)
    write_reference(model, os.path.join(args.out, "reference-outputs.json"), held_batch)
    with open(onnx_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    emit("done", steps=step, wallSeconds=wall, stoppedByTimeCap=stopped_by_cap, parameters=parameter_count(model),
         samples=step * args.batch, onnx=onnx_path, sha256=digest, curve=curve, recipe=recipe(args),
         torch=torch.__version__, heldOutRows=args.held_out_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
