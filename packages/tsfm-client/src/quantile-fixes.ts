/**
 * Output repairs applied per horizon step, after de-normalisation: the clamp and the check here;
 * the crossing fix (monotone rearrangement) is @tsfm/numerics' fixCrossing.
 *
 * Both repairs commute with the increasing de-normalisation and with resolution map-back
 * (repetition), so the client runs them on the coarse matrix, r times fewer rows.
 */

/** max(0, ·) on matrix[0, length), in place. NaN stays NaN (a broken model output stays visible). */
export function clampNonNegative(matrix: { [i: number]: number }, length: number): void {
  for (let i = 0; i < length; i++) {
    if (matrix[i]! < 0) matrix[i] = 0;
  }
}

/** Whether every row is non-decreasing in the level (NaN fails). */
export function isNonCrossing(matrix: ArrayLike<number>, nSteps: number, nLevels: number): boolean {
  for (let j = 0; j < nSteps; j++) {
    const base = j * nLevels;
    for (let k = 1; k < nLevels; k++) {
      if (!(matrix[base + k]! >= matrix[base + k - 1]!)) return false;
    }
  }
  return true;
}
