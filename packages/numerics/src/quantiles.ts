/**
 * Quantile basics shared by the models, the losses and the statistics: the standard normal
 * quantile, the type-7 quantile of a sorted sample, and the non-crossing repair of a quantile
 * matrix.
 */

const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/**
 * Standard normal quantile Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9, far
 * below the float32 resolution of the forecasts it scales): −∞ at 0, +∞ at 1, NaN outside [0, 1].
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  if (p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/**
 * Quantile of an ascending-sorted sample at `level` in [0, 1]: linear interpolation between
 * order statistics (Hyndman & Fan type 7, R's default); NaN for an empty sample. No input checks:
 * a hot-path primitive for callers that sorted the sample themselves.
 */
export function sortedQuantile(sorted: ArrayLike<number>, level: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * level;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Sort each of nSteps rows of nLevels ascending, in place: the monotone rearrangement of
 * Chernozhukov, Fernández-Val & Galichon (2010). Quantiles from independent per-level estimates
 * can cross (float32 rounding of two nearly equal Gaussian quantiles, a clamp applied to one
 * level, a network's raw outputs); sorting, unlike a cumulative max, keeps the multiset of
 * predicted values, never increases pinball loss, is idempotent and leaves a monotone row
 * untouched. Insertion sort: K ≤ ~20 levels and rows that are mostly sorted already. A NaN stays
 * in the row (a broken model output stays visible).
 */
export function fixCrossing(matrix: { [i: number]: number; length: number }, nSteps: number, nLevels: number): void {
  for (let j = 0; j < nSteps; j++) {
    const base = j * nLevels;
    for (let k = 1; k < nLevels; k++) {
      const v = matrix[base + k]!;
      let i = k - 1;
      while (i >= 0 && matrix[base + i]! > v) {
        matrix[base + i + 1] = matrix[base + i]!;
        i--;
      }
      matrix[base + i + 1] = v;
    }
  }
}
