"""Training windows cut from the on-disk pool (written by @tsfm/pretrain's pool writer).

Every random choice of step `t` comes from numpy's PCG64 seeded with (seed, t), so a batch is a
pure function of (pool, seed, step): a resumed run sees exactly the batches an uninterrupted run
would have seen.

What a window looks like to the model is what tsfm-client sends: the context right-aligned in
512 slots, left-padded with 0 and mask 0 when the history is shorter, missing points (NaN in the
pool) as 0 with mask 0.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

from .model import CONTEXT, HORIZON, PERIODS


@dataclass(frozen=True)
class WindowOptions:
    min_context: int = 32
    full_context_prob: float = 0.6
    mixup_prob: float = 0.3
    mixup_max: int = 3
    mixup_alpha: float = 1.5


def load_pool(folder: str) -> np.ndarray:
    """The pool as one [series, length] float32 array (read once; ~0.5–1 GB)."""
    with open(os.path.join(folder, "pool.json"), encoding="utf8") as f:
        index = json.load(f)
    if index.get("format") != "tsfm-pool-v1":
        raise SystemExit(f"{folder}/pool.json: format must be tsfm-pool-v1, got {index.get('format')!r}")
    length = int(index["length"])
    parts = []
    for name in index["chunks"]:
        data = np.fromfile(os.path.join(folder, name), dtype="<f4")
        if data.size % length != 0:
            raise SystemExit(f"{folder}/{name}: {data.size} values is not a multiple of the series length {length}")
        parts.append(data.reshape(-1, length))
    pool = np.concatenate(parts, axis=0)
    if pool.shape[0] != int(index["count"]):
        raise SystemExit(f"{folder}: {pool.shape[0]} series in the chunks, pool.json says {index['count']}")
    return pool


def _raw_windows(rng: np.random.Generator, pool: np.ndarray, rows: int) -> np.ndarray:
    n, length = pool.shape
    span = CONTEXT + HORIZON
    series = rng.integers(0, n, size=rows)
    start = rng.integers(0, length - span + 1, size=rows)
    return pool[series[:, None], start[:, None] + np.arange(span)[None, :]].astype(np.float64)


def _context_scale(w: np.ndarray) -> np.ndarray:
    ctx = w[:, :CONTEXT]
    scale = np.nanmean(np.abs(ctx), axis=1)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return scale[:, None]


def sample_batch(pool: np.ndarray, seed: int, step: int, rows: int, opts: WindowOptions):
    """(context, mask, target, target_mask) float32 arrays for training step `step`."""
    rng = np.random.default_rng([seed, step])
    w = _raw_windows(rng, pool, rows)
    # TSMixup (Chronos): a convex mix of 2..mixup_max windows, each scaled by its mean |context|.
    mix = rng.random(rows) < opts.mixup_prob
    m = int(mix.sum())
    if m > 0:
        k = rng.integers(2, opts.mixup_max + 1, size=m)
        weights = rng.dirichlet([opts.mixup_alpha] * opts.mixup_max, size=m)
        weights = weights * (np.arange(opts.mixup_max)[None, :] < k[:, None])
        weights = weights / weights.sum(axis=1, keepdims=True)
        mixed = np.zeros((m, CONTEXT + HORIZON))
        for j in range(opts.mixup_max):
            comp = _raw_windows(rng, pool, m)
            comp = np.nan_to_num(comp / _context_scale(comp), nan=0.0)
            mixed += weights[:, j : j + 1] * comp
        w[mix] = mixed * np.exp(rng.normal(0, 1.5, size=(m, 1)))
    ctx = w[:, :CONTEXT]
    tgt = w[:, CONTEXT:]
    mask = np.isfinite(ctx)
    # Effective history: the full context or log-uniform in [min_context, CONTEXT], the rest padded.
    full = rng.random(rows) < opts.full_context_prob
    lo, hi = np.log(opts.min_context), np.log(CONTEXT)
    eff = np.where(full, CONTEXT, np.round(np.exp(rng.uniform(lo, hi, size=rows)))).astype(np.int64)
    mask &= np.arange(CONTEXT)[None, :] >= (CONTEXT - eff)[:, None]
    # A window with no observed context point teaches nothing: give it its last point back.
    empty = ~mask.any(axis=1)
    mask[empty, CONTEXT - 1] = True
    ctx = np.where(mask, np.nan_to_num(ctx, nan=0.0), 0.0)
    tmask = np.isfinite(tgt)
    tgt = np.nan_to_num(tgt, nan=0.0)
    return (
        ctx.astype(np.float32),
        mask.astype(np.float32),
        tgt.astype(np.float32),
        tmask.astype(np.float32),
    )


def seasonal_scale(z: np.ndarray, mask: np.ndarray, tail: int = 160) -> np.ndarray:
    """Per window: the smallest mean |z_t - z_{t-p}| over candidate periods on the context's tail.

    This is the normalised analogue of MASE's denominator (in-sample seasonal-naive error at the
    series' period), computed without knowing the period. Used to weight the loss like MASE does.
    """
    best = np.full(z.shape[0], np.inf)
    for p in PERIODS:
        a = z[:, CONTEXT - tail :]
        b = z[:, CONTEXT - tail - p : CONTEXT - p] if p <= CONTEXT - tail else None
        if b is None:
            continue
        w = mask[:, CONTEXT - tail :] * mask[:, CONTEXT - tail - p : CONTEXT - p]
        cnt = w.sum(axis=1)
        err = np.where(cnt >= 16, (np.abs(a - b) * w).sum(axis=1) / np.maximum(cnt, 1), np.inf)
        best = np.minimum(best, err)
    return np.where(np.isfinite(best), best, 1.0)
