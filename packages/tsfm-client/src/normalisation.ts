/**
 * Client-side normalisation: a per-row, monotone-increasing transform applied to the history
 * before the model and inverted on its quantiles. Because every transform here is increasing,
 * the τ-quantile of the transformed forecast maps to the τ-quantile of the original one, so
 * quantiles (not just means) survive the round trip — this is why log1p is allowed at all
 * (expm1 is increasing) and why a negative scale never appears.
 *
 * Everything is folded into one `Scaling` per row:  z = (g(x) − shift) / scale  with g = log1p
 * or the identity. Two stages compose into it: the config's normalisation (what the harness
 * searches) and the scaling the model itself requires (manifest `normalisation: mean-std` or
 * `mean-abs`, for exports that expect pre-scaled input).
 *
 * Statistics use observed (non-NaN) context values only, in float64.
 */
import type { Normalisation } from './config.js';
import { ForecastRequestError } from './errors.js';

export interface Scaling {
  log1p: boolean;
  shift: number;
  scale: number;
}

export type ModelScaling = 'none' | 'mean-std' | 'mean-abs';

/**
 * A standard deviation at or below this fraction of |mean| is float rounding on a constant
 * series; dividing by it would blow rounding noise up to unit scale, so the scale falls back to 1.
 */
const RELATIVE_STD_FLOOR = 1e-7;

/**
 * Fit the row's scaling on values[from, from + n) (raw values; NaN = unobserved) into `out`.
 * Throws ForecastRequestError (with `row`) for log1p on a negative value.
 */
export function fitScaling(
  values: ArrayLike<number>,
  from: number,
  n: number,
  normalisation: Normalisation,
  modelScaling: ModelScaling,
  out: Scaling,
  row = -1,
): Scaling {
  const log1p = normalisation === 'log1p';
  // Stage 1 statistics of g(x).
  let count = 0;
  let sum = 0;
  let last = Number.NaN;
  const to = from + n;
  for (let i = from; i < to; i++) {
    const x = values[i];
    if (x !== x) continue;
    if (log1p && x < 0) {
      throw new ForecastRequestError(
        row,
        `log1p normalisation needs non-negative history; found ${x} at context step ${i - from}`,
      );
    }
    const g = log1p ? Math.log1p(x) : x;
    sum += g;
    count++;
    last = g;
  }
  if (count === 0) throw new ForecastRequestError(row, 'no observed value in the context window');
  const mean = sum / count;

  let shift = 0;
  let scale = 1;
  if (normalisation === 'mean-std') {
    shift = mean;
    scale = stdAround(values, from, to, log1p, mean, count);
  } else if (normalisation === 'last-value') {
    shift = last;
  }

  // Stage 2: statistics of y = (g − shift) / scale, composed into one affine map.
  if (modelScaling === 'mean-std') {
    const meanY = (mean - shift) / scale;
    const stdY = stdAround(values, from, to, log1p, mean, count) / scale;
    shift += scale * meanY;
    scale *= stdY;
  } else if (modelScaling === 'mean-abs') {
    let abs = 0;
    for (let i = from; i < to; i++) {
      const x = values[i];
      if (x !== x) continue;
      abs += Math.abs(((log1p ? Math.log1p(x) : x) - shift) / scale);
    }
    const meanAbs = abs / count;
    if (meanAbs > 0) scale *= meanAbs;
  }

  out.log1p = log1p;
  out.shift = shift;
  out.scale = scale;
  return out;
}

function stdAround(
  values: ArrayLike<number>,
  from: number,
  to: number,
  log1p: boolean,
  mean: number,
  count: number,
): number {
  let ss = 0;
  for (let i = from; i < to; i++) {
    const x = values[i];
    if (x !== x) continue;
    const d = (log1p ? Math.log1p(x) : x) - mean;
    ss += d * d;
  }
  const std = Math.sqrt(ss / count);
  return std > RELATIVE_STD_FLOOR * Math.abs(mean) && std > 0 ? std : 1;
}

/** Raw value → model space. NaN stays NaN. */
export function toModelSpace(x: number, s: Scaling): number {
  return ((s.log1p ? Math.log1p(x) : x) - s.shift) / s.scale;
}

/** Model space → raw value; increasing in z, so it maps quantiles to quantiles. */
export function fromModelSpace(z: number, s: Scaling): number {
  const g = z * s.scale + s.shift;
  return s.log1p ? Math.expm1(g) : g;
}

/** Convenience for tests and callers outside the hot path. */
export function newScaling(): Scaling {
  return { log1p: false, shift: 0, scale: 1 };
}
