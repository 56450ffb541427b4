"""The v2 default forecaster: a mixture of seasonal references plus an MLP correction.

Same contract as v1 (model.json): raw `context` [batch, 512] and `mask` [batch, 512] in, raw
`quantiles` [batch, 64, 13] out, normalisation inside the graph.

Why this shape. v1 (a plain MLP over the normalised window) lost to seasonal naive on M4-Hourly:
it had to discover "repeat the value one period back" for every period from data, with no notion
of which period the series has. v2 hands it the candidates explicitly:

* References. For each candidate period p in PERIODS (the daily and weekly cycles of 1- to
  60-minute grids, the hour at 5 minutes, and p = 1, i.e. naive), the seasonal-naive forecast
  r_p[k] = z[T - p*ceil((k+1)/p) + k] is fixed positions of the context (a slice, tiled when
  p < 64: `seasonal_references`).
* Backtests. The same references issued from two earlier origins (T-64, T-128) are scored
  against what then happened; log mean absolute errors (whole 64 steps and the first 12) tell
  the network which periods fit this series, on any grid, without being told the grid step.
* Output. Per horizon step, softmax weights over the references (logits = learned MLP output
  minus tau * log backtest error, so the start of training is already "use the best-backtested
  reference"), plus a learned residual and a DLinear-style linear skip for the median, plus
  softplus increments for the other 12 levels (non-crossing by construction).

Everything is plain tensor algebra with constant positions, so torch.onnx.export maps it to
Slice/Tile/Gemm/Softmax/Softplus at opset 17 and ONNX Runtime runs it unchanged.
"""

from __future__ import annotations

import math

import torch
from torch import nn
import torch.nn.functional as F

CONTEXT = 512
HORIZON = 64
LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
MEDIAN = 6
PERIODS = [1, 7, 12, 24, 48, 60, 96, 144, 168, 288, 336]
BACKTEST_ORIGINS = [CONTEXT - 64, CONTEXT - 128]
SHORT = 12
MASK_POOL = 16
SCALE_EPS_REL = 1e-4
SCALE_EPS_ABS = 1e-8


def reference_index(origin: int, period: int, horizon: int) -> list[int]:
    """Positions in the context that the seasonal-naive forecast from `origin` copies."""
    return [origin - period * math.ceil((k + 1) / period) + k for k in range(horizon)]


def seasonal_references(x: torch.Tensor, origin: int, horizon: int) -> torch.Tensor:
    """[batch, len(PERIODS) * horizon]: x[:, reference_index(origin, p, horizon)] for every period.

    Built from slices, not one Gather: each reference is the last period before `origin`
    repeated, i.e. a contiguous slice (p >= horizon) or a short slice tiled. ONNX Runtime's
    Gather along the time axis copies one float per index and row (30 % of a 960-row run);
    Slice and Tile copy contiguous runs. Same values, so every output bit is unchanged.
    """
    parts = []
    for period in PERIODS:
        last = x[:, origin - period : origin - period + min(period, horizon)]
        if period < horizon:
            last = last.repeat(1, math.ceil(horizon / period))[:, :horizon]
        parts.append(last)
    return torch.cat(parts, dim=1)


class SeasonalMixtureForecaster(nn.Module):
    def __init__(self, hidden: int = 512, blocks: int = 2, references: bool = True):
        super().__init__()
        self.hidden = hidden
        self.blocks = blocks
        # references=False is the ablation "v1-style parametrisation": no reference mixture, no
        # backtest features; the median is the trunk's output plus the linear skip only.
        self.references = references
        p = len(PERIODS)
        # 3 error features per (origin, period) — full, short, coverage — plus the mean forecast's errors.
        n_feat = len(BACKTEST_ORIGINS) * (3 * p + 2)
        self.inp = nn.Linear(CONTEXT + CONTEXT // MASK_POOL + n_feat, hidden)
        self.blocks_a = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(blocks)])
        self.blocks_b = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(blocks)])
        self.gate = nn.Linear(hidden, HORIZON * p)
        self.resid = nn.Linear(hidden, HORIZON)
        self.incr = nn.Linear(hidden, HORIZON * (len(LEVELS) - 1))
        self.skip = nn.Linear(CONTEXT, HORIZON, bias=False)
        # Inverse temperature of the backtest prior (learned, starts at "clearly prefer the best").
        self.tau = nn.Parameter(torch.tensor(2.0))
        # Cumulative-sum matrix: quantiles = median ± running sums of increments, ordered by level.
        n = len(LEVELS)
        cum = torch.zeros(n - 1, n)
        for j in range(n):
            if j < MEDIAN:
                for i in range(j, MEDIAN):
                    cum[i, j] = -1.0
            elif j > MEDIAN:
                for i in range(MEDIAN, j):
                    cum[i, j] = 1.0
        self.register_buffer("cum", cum, persistent=False)
        # Post-hoc spread calibration: one factor per increment between adjacent levels, fitted
        # after training on the validation set (src/calibration/spread.ts) and baked into the
        # exported graph. Ones while training; not in checkpoints (persistent=False).
        self.register_buffer("spread", torch.ones(n - 1), persistent=False)
        self._init()

    def _init(self) -> None:
        for b in self.blocks_b:
            nn.init.zeros_(b.weight)
            nn.init.zeros_(b.bias)
        nn.init.zeros_(self.gate.weight)
        nn.init.zeros_(self.gate.bias)
        nn.init.zeros_(self.resid.weight)
        nn.init.zeros_(self.resid.bias)
        nn.init.zeros_(self.skip.weight)
        nn.init.normal_(self.incr.weight, std=1e-3)
        nn.init.constant_(self.incr.bias, -1.0)

    def normalise(self, x: torch.Tensor, m: torch.Tensor):
        n = m.sum(dim=1, keepdim=True).clamp(min=1.0)
        mu = (x * m).sum(dim=1, keepdim=True) / n
        # d * d, not d ** 2: the same float32 values (the square of a float32 is exact in the double
        # that pow works in), but ONNX Runtime's Pow kernel costs ten times a Mul.
        d = (x - mu) * m
        var = (d * d).sum(dim=1, keepdim=True) / n
        s = torch.sqrt(var) + SCALE_EPS_REL * mu.abs() + SCALE_EPS_ABS
        return m * (x - mu) / s, mu, s

    def features(self, z: torch.Tensor, m: torch.Tensor):
        b = z.shape[0]
        p = len(PERIODS)
        refs = seasonal_references(z, CONTEXT, HORIZON).reshape(b, p, HORIZON)
        ref_cov = seasonal_references(m, CONTEXT, HORIZON).reshape(b, p, HORIZON).mean(dim=2)
        feats = []
        errs = []
        for o, origin in enumerate(BACKTEST_ORIGINS):
            tgt = z[:, origin : origin + 64].unsqueeze(1)
            tm = m[:, origin : origin + 64].unsqueeze(1)
            bz = seasonal_references(z, origin, 64).reshape(b, p, 64)
            bm = seasonal_references(m, origin, 64).reshape(b, p, 64)
            w = tm * bm
            ae = (tgt - bz).abs() * w
            cnt = w.sum(dim=2)
            full = ae.sum(dim=2) / (cnt + 1e-3)
            short = ae[:, :, :SHORT].sum(dim=2) / (w[:, :, :SHORT].sum(dim=2) + 1e-3)
            cov = cnt / 64.0
            mean_err = (tgt.abs() * tm).sum(dim=2) / (tm.sum(dim=2) + 1e-3)
            mean_short = (tgt[:, :, :SHORT].abs() * tm[:, :, :SHORT]).sum(dim=2) / (tm[:, :, :SHORT].sum(dim=2) + 1e-3)
            feats += [torch.log(full + 1e-3), torch.log(short + 1e-3), cov, torch.log(mean_err + 1e-3), torch.log(mean_short + 1e-3)]
            errs.append((full, cov))
        # Prior logits: lower backtest error → higher weight; uncovered references get a large penalty.
        err = errs[0][0] + 0.5 * errs[1][0]
        cov = torch.minimum(ref_cov, errs[0][1])
        prior = -torch.log(err + 1e-2) - 20.0 * (1.0 - cov)
        return refs, torch.cat(feats, dim=1), prior

    def forward_normalised(self, context: torch.Tensor, mask: torch.Tensor):
        """Quantiles on the normalised scale plus (mu, s): the training loss works there."""
        z, mu, s = self.normalise(context, mask)
        b = z.shape[0]
        refs, feats, prior = self.features(z, mask)
        if not self.references:
            feats = torch.zeros_like(feats)
        pooled = mask.reshape(b, CONTEXT // MASK_POOL, MASK_POOL).mean(dim=2)
        h = F.relu(self.inp(torch.cat([z, pooled, feats], dim=1)))
        for a, c in zip(self.blocks_a, self.blocks_b):
            h = h + c(F.relu(a(h)))
        p = len(PERIODS)
        logits = self.gate(h).reshape(b, HORIZON, p) + self.tau * prior.unsqueeze(1)
        weights = torch.softmax(logits, dim=2)
        base = (weights * refs.transpose(1, 2)).sum(dim=2)
        if not self.references:
            base = torch.zeros_like(base)
        median = base + self.resid(h) + self.skip(z)
        inc = F.softplus(self.incr(h)).reshape(b, HORIZON, len(LEVELS) - 1) * self.spread
        q = median.unsqueeze(2) + torch.matmul(inc, self.cum)
        return q, mu, s

    def forward(self, context: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        q, mu, s = self.forward_normalised(context, mask)
        return q * s.unsqueeze(2) + mu.unsqueeze(2)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
