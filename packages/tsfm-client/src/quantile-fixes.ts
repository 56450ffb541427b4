/**
 * Output repairs applied per horizon step, after de-normalisation.
 *
 * Crossing fix = monotone rearrangement: sort each step's quantiles ascending (Chernozhukov,
 * Fernández-Val & Galichon 2010). Sorting, unlike a cumulative max, keeps the multiset of
 * predicted values and is never farther (in any Lp norm) from the true quantile curve than the
 * crossed one was; it is idempotent and leaves an already monotone row untouched.
 *
 * Both repairs commute with the increasing de-normalisation and with resolution map-back
 * (repetition), so the client runs them on the coarse matrix, r times fewer rows.
 */

/** Sort each of nSteps rows of nLevels ascending, in place (insertion sort: K ≤ ~20, mostly sorted). */
export function fixCrossing(matrix: { [i: number]: number; length: number }, nSteps: number, nLevels: number): void {
  for (let j = 0; j < nSteps; j++) {
    const base = j * nLevels;
    for (let k = 1; k < nLevels; k++) {
      const v = matrix[base + k];
      let i = k - 1;
      while (i >= 0 && matrix[base + i] > v) {
        matrix[base + i + 1] = matrix[base + i];
        i--;
      }
      matrix[base + i + 1] = v;
    }
  }
}

/** max(0, ·) on matrix[0, length), in place. NaN stays NaN (a broken model output stays visible). */
export function clampNonNegative(matrix: { [i: number]: number }, length: number): void {
  for (let i = 0; i < length; i++) {
    if (matrix[i] < 0) matrix[i] = 0;
  }
}

/** Whether every row is non-decreasing in the level (NaN fails). */
export function isNonCrossing(matrix: ArrayLike<number>, nSteps: number, nLevels: number): boolean {
  for (let j = 0; j < nSteps; j++) {
    const base = j * nLevels;
    for (let k = 1; k < nLevels; k++) {
      if (!(matrix[base + k] >= matrix[base + k - 1])) return false;
    }
  }
  return true;
}
