/**
 * Building quantile matrices: from Gaussian standard deviations (models whose native uncertainty
 * is a variance), from empirical residual samples (models with none), and the non-crossing fix.
 */
import type { QuantileForecast } from './types.js';

/**
 * Standard normal quantile Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9),
 * far below float32 resolution of the forecasts it scales.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** Quantile of an already sorted sample, linear interpolation between order statistics (R type 7). */
export function sortedQuantile(sorted: ArrayLike<number>, level: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0];
  const h = (n - 1) * level;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Sorts each row in place. Quantiles that come from independent per-level estimates can cross
 * (e.g. float32 rounding of two nearly equal Gaussian quantiles, or a clamp applied to one level);
 * sorting a row is the rearrangement of Chernozhukov et al., which never increases pinball loss.
 */
export function fixCrossing(quantiles: Float32Array, nLevels: number): Float32Array {
  for (let r = 0; r + nLevels <= quantiles.length; r += nLevels) {
    let sorted = true;
    for (let j = r + 1; j < r + nLevels; j++) {
      if (quantiles[j] < quantiles[j - 1]) {
        sorted = false;
        break;
      }
    }
    if (!sorted) quantiles.subarray(r, r + nLevels).sort();
  }
  return quantiles;
}

/** Quantiles point[t] + sd[t]·Φ⁻¹(level): for models whose native uncertainty is a variance. */
export function gaussianForecast(
  point: ArrayLike<number>,
  sd: ArrayLike<number>,
  levels: readonly number[],
): QuantileForecast {
  const h = point.length;
  const k = levels.length;
  const z = levels.map(normalQuantile);
  const quantiles = new Float32Array(h * k);
  for (let t = 0; t < h; t++) {
    const s = Number.isFinite(sd[t]) && sd[t] > 0 ? sd[t] : 0;
    for (let j = 0; j < k; j++) quantiles[t * k + j] = point[t] + s * z[j];
  }
  return { point: Float32Array.from(point), levels: [...levels], quantiles: fixCrossing(quantiles, k) };
}

/**
 * Quantile matrix from per-step error samples: row t is point[t] + Q_level(errors[t]).
 * `errors[t]` must be sorted ascending. Used with the direct h-step errors of residualQuantiles.
 */
export function empiricalForecast(
  point: ArrayLike<number>,
  sortedErrors: readonly ArrayLike<number>[],
  levels: readonly number[],
): QuantileForecast {
  const h = point.length;
  const k = levels.length;
  const quantiles = new Float32Array(h * k);
  for (let t = 0; t < h; t++) {
    for (let j = 0; j < k; j++) quantiles[t * k + j] = point[t] + sortedQuantile(sortedErrors[t], levels[j]);
  }
  return { point: Float32Array.from(point), levels: [...levels], quantiles: fixCrossing(quantiles, k) };
}

/**
 * Resamples a quantile matrix given at `from` levels onto `to` levels: linear interpolation in
 * level inside the range, and outside it a Gaussian-tail extrapolation from the two outermost
 * levels (linear extrapolation in level would make the 0.01 quantile absurdly close to the 0.05).
 */
export function resampleLevels(
  matrix: ArrayLike<number>,
  from: readonly number[],
  to: readonly number[],
  horizon: number,
): Float32Array {
  const kf = from.length;
  const kt = to.length;
  const out = new Float32Array(horizon * kt);
  const zFrom = from.map(normalQuantile);
  for (let t = 0; t < horizon; t++) {
    const row = t * kf;
    for (let j = 0; j < kt; j++) {
      const l = to[j];
      let v: number;
      if (kf === 1) {
        v = matrix[row];
      } else if (l <= from[0] || l >= from[kf - 1]) {
        // Treat the two outermost levels on that side as points of a normal distribution.
        const [i0, i1] = l <= from[0] ? [0, 1] : [kf - 2, kf - 1];
        const dz = zFrom[i1] - zFrom[i0];
        const scale = dz > 0 ? (matrix[row + i1] - matrix[row + i0]) / dz : 0;
        v = matrix[row + i1] + scale * (normalQuantile(l) - zFrom[i1]);
      } else {
        let i = 1;
        while (from[i] < l) i++;
        const w = (l - from[i - 1]) / (from[i] - from[i - 1]);
        v = matrix[row + i - 1] + w * (matrix[row + i] - matrix[row + i - 1]);
      }
      out[t * kt + j] = v;
    }
  }
  return fixCrossing(out, kt);
}
