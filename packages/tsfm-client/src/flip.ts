/**
 * Flip invariance: forecast x and −x and average f(x) with −f(−x).
 *
 * If q_τ is the τ-quantile of the forecast for −x, then −q_τ is the (1 − τ)-quantile of the
 * implied forecast for x (negation reverses order). So level k of the combined forecast pairs
 * level k of the plain row with level (K − 1 − k) of the flipped row, negated — which is only
 * meaningful when the level set is symmetric about 0.5.
 */

/** Largest |τ_k + τ_{K−1−k} − 1| accepted; manifests write levels as decimal literals. */
const SYMMETRY_TOLERANCE = 1e-6;

/** Whether levels[k] + levels[K−1−k] = 1 for every k (e.g. 0.1…0.9, or 0.01…0.99 with 0.5). */
export function levelsAreSymmetric(levels: readonly number[]): boolean {
  const n = levels.length;
  for (let k = 0; k < n; k++) {
    if (Math.abs(levels[k] + levels[n - 1 - k] - 1) > SYMMETRY_TOLERANCE) return false;
  }
  return true;
}

/**
 * out[j, k] = ½ (plus[j, k] − minus[j, K−1−k]) for nSteps rows of nLevels, row-major.
 * `out` may alias `plus` (each output reads only its own plus entry before writing it).
 */
export function combineFlipped(
  plus: ArrayLike<number>,
  minus: ArrayLike<number>,
  nSteps: number,
  nLevels: number,
  out: { [i: number]: number },
): void {
  for (let j = 0; j < nSteps; j++) {
    const base = j * nLevels;
    for (let k = 0; k < nLevels; k++) {
      out[base + k] = 0.5 * (plus[base + k] - minus[base + nLevels - 1 - k]);
    }
  }
}
