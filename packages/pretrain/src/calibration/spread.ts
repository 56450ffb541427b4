/**
 * Post-hoc spread calibration for a median-plus-increments quantile model (the v2 forecaster):
 *
 *   q_j = median − Σ_{i=j}^{med−1} d_i·inc_i   (levels below the median)
 *   q_j = median + Σ_{i=med}^{j−1} d_i·inc_i   (levels above)
 *
 * where inc_i = q_{i+1} − q_i ≥ 0 are the model's own increments and d_i > 0 one factor per
 * increment. Scaling increments (not offsets) keeps the quantiles non-crossing for any d ≥ 0, and
 * the model's median is untouched. The factors are fitted level by level outwards from the
 * median, each by bisection, so that on the fitting set the (weighted) share of actuals below
 * q_j equals level j — quantile recalibration in the sense of Kuleshov et al. (2018), restricted to
 * a form the exported graph can hold as one constant vector.
 *
 * The share is counted as `evaluate` scores it: quantiles of never-negative series clamped at 0,
 * an actual equal to its quantile counted half (a floor is not a miss).
 */

export interface SpreadSample {
  /** Forecast quantiles, horizon × levels, row-major (as the model returns them). */
  readonly quantiles: Float32Array;
  /** The actual values (NaN = missing, skipped). */
  readonly actual: Float32Array;
  /** Clamp quantiles at 0 (the series was never negative). */
  readonly nonNegative: boolean;
  /** Weight of each of this sample's points (e.g. 1 / points in its part, to weigh parts equally). */
  readonly weight: number;
}

/** Factors are searched in [1/RANGE, RANGE]: beyond that the model, not its spread, is wrong. */
const RANGE = 8;
const BISECTION_STEPS = 50;

interface Points {
  median: Float64Array;
  /** increments, points × (levels − 1) */
  inc: Float64Array;
  actual: Float64Array;
  weight: Float64Array;
  nonNegative: Uint8Array;
  n: number;
}

function flatten(samples: readonly SpreadSample[], levels: number, med: number): Points {
  let n = 0;
  for (const s of samples) for (const y of s.actual) if (Number.isFinite(y)) n++;
  const p: Points = {
    median: new Float64Array(n),
    inc: new Float64Array(n * (levels - 1)),
    actual: new Float64Array(n),
    weight: new Float64Array(n),
    nonNegative: new Uint8Array(n),
    n,
  };
  let k = 0;
  for (const s of samples) {
    for (let t = 0; t < s.actual.length; t++) {
      const y = s.actual[t];
      if (!Number.isFinite(y)) continue;
      const row = t * levels;
      p.median[k] = s.quantiles[row + med];
      for (let i = 0; i < levels - 1; i++)
        p.inc[k * (levels - 1) + i] = Math.max(0, s.quantiles[row + i + 1] - s.quantiles[row + i]);
      p.actual[k] = y;
      p.weight[k] = s.weight;
      p.nonNegative[k] = s.nonNegative ? 1 : 0;
      k++;
    }
  }
  return p;
}

/** Weighted share of actuals below `base[k] + sign·d·inc[k, i]` (clamped, ties half). */
function shareBelow(p: Points, base: Float64Array, i: number, sign: number, d: number): number {
  const stride = p.inc.length / p.n;
  let below = 0;
  let total = 0;
  for (let k = 0; k < p.n; k++) {
    let q = base[k] + sign * d * p.inc[k * stride + i];
    if (p.nonNegative[k] === 1 && q < 0) q = 0;
    const y = p.actual[k];
    const w = p.weight[k];
    total += w;
    below += y < q ? w : y === q ? 0.5 * w : 0;
  }
  return total > 0 ? below / total : NaN;
}

/**
 * Fits one factor per increment (levels − 1 of them) on the samples; `levels` ascending, with 0.5
 * among them. A level whose target cannot be reached inside the search range gets the bound.
 */
export function fitSpread(samples: readonly SpreadSample[], levels: readonly number[]): Float64Array {
  const L = levels.length;
  const med = levels.indexOf(0.5);
  if (med < 0) throw new RangeError('spread calibration needs the 0.5 level');
  const p = flatten(samples, L, med);
  const d = new Float64Array(L - 1).fill(1);
  if (p.n === 0) return d;
  // Lower side: walk from the median down, accumulating the calibrated offset.
  const base = Float64Array.from(p.median);
  for (let j = med - 1; j >= 0; j--) {
    // q_j = base − d·inc_j: larger d → lower quantile → smaller share below (decreasing in d).
    d[j] = solve((x) => shareBelow(p, base, j, -1, x), levels[j], 'decreasing');
    for (let k = 0; k < p.n; k++) base[k] -= d[j] * p.inc[k * (L - 1) + j];
  }
  base.set(p.median);
  for (let j = med + 1; j < L; j++) {
    const i = j - 1; // q_j = base + d·inc_{j−1}: larger d → larger share below (increasing in d).
    d[i] = solve((x) => shareBelow(p, base, i, +1, x), levels[j], 'increasing');
    for (let k = 0; k < p.n; k++) base[k] += d[i] * p.inc[k * (L - 1) + i];
  }
  return d;
}

/** Bisection on log d for f(d) = target, f monotone in the given direction. */
function solve(f: (d: number) => number, target: number, direction: 'increasing' | 'decreasing'): number {
  let lo = Math.log(1 / RANGE);
  let hi = Math.log(RANGE);
  const up = direction === 'increasing';
  if (up ? f(Math.exp(hi)) <= target : f(Math.exp(hi)) >= target) return Math.exp(hi);
  if (up ? f(Math.exp(lo)) >= target : f(Math.exp(lo)) <= target) return Math.exp(lo);
  for (let s = 0; s < BISECTION_STEPS; s++) {
    const mid = 0.5 * (lo + hi);
    const v = f(Math.exp(mid));
    if (up ? v < target : v > target) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

/** The quantiles the calibrated graph outputs, for checks: the same formula, in TypeScript. */
export function applySpread(quantiles: Float32Array, levels: number, factors: ArrayLike<number>): Float32Array {
  const med = (levels - 1) / 2;
  if (!Number.isInteger(med)) throw new RangeError('applySpread expects the median in the middle of the levels');
  const out = new Float32Array(quantiles.length);
  for (let row = 0; row < quantiles.length; row += levels) {
    out[row + med] = quantiles[row + med];
    let acc = quantiles[row + med];
    for (let j = med - 1; j >= 0; j--) {
      acc -= factors[j] * Math.max(0, quantiles[row + j + 1] - quantiles[row + j]);
      out[row + j] = acc;
    }
    acc = quantiles[row + med];
    for (let j = med + 1; j < levels; j++) {
      acc += factors[j - 1] * Math.max(0, quantiles[row + j] - quantiles[row + j - 1]);
      out[row + j] = acc;
    }
  }
  return out;
}
