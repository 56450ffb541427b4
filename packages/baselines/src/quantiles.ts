/**
 * Building quantile matrices: from Gaussian standard deviations (models whose native uncertainty
 * is a variance), from empirical residual samples (models with none), and resampled to other levels.
 */
import { fixCrossing, normalQuantile, sortedQuantile } from '@tsfm/numerics';
import type { QuantileForecast } from './types.js';

/** Sort each row of a steps × levels matrix ascending, in place (@tsfm/numerics' fixCrossing), and return it. */
function sortRows(quantiles: Float32Array, nLevels: number): Float32Array {
  fixCrossing(quantiles, Math.floor(quantiles.length / nLevels), nLevels);
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
  return { point: Float32Array.from(point), levels: [...levels], quantiles: sortRows(quantiles, k) };
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
  return { point: Float32Array.from(point), levels: [...levels], quantiles: sortRows(quantiles, k) };
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
  return sortRows(out, kt);
}
