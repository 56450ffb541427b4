/**
 * Distribution quality over all of a model's quantile levels (design.md §2), from a row-major
 * [horizon × nLevels] quantile matrix.
 *
 * Both metrics average 2·pinball over levels. The factor 2 makes the level-0.5 term equal to the
 * absolute error, and with evenly spread levels the average approximates the CRPS
 * (CRPS = ∫₀¹ 2·pinball_τ dτ).
 *
 * Missing data: time steps whose actual is NaN are skipped (in the numerator and, for wQL, in
 * Σ|y| too); if none is observed the result is NaN.
 */
import { assertNonEmpty, assertQuantileLevels, assertQuantileMatrix } from './input-checks.js';
import { pinballTerm } from './pinball.js';

/**
 * Weighted quantile loss as in GluonTS (`mean_wQuantileLoss`):
 *   wQL = (1/|Q|) Σ_q 2·Σ_t pinball_q(y_t, ŷ_{t,q}) / Σ_t |y_t|.
 * Normalising by Σ|y| makes it comparable across series of different magnitude. It is undefined
 * when every observed actual is 0 (Σ|y| = 0); we return NaN there rather than Infinity.
 */
export function weightedQuantileLoss(
  actual: ArrayLike<number>,
  quantileMatrix: ArrayLike<number>,
  levels: ArrayLike<number>,
): number {
  const total = sumQuantileLoss(actual, quantileMatrix, levels, 'weightedQuantileLoss');
  if (total.observed === 0 || total.absActual === 0) return NaN;
  return (2 * total.loss) / (levels.length * total.absActual);
}

/**
 * Quantile-loss approximation of the CRPS, in the series' own units:
 *   CRPS ≈ (1/T) Σ_t (1/|Q|) Σ_q 2·pinball_q(y_t, ŷ_{t,q}), over observed steps.
 */
export function crpsApprox(
  actual: ArrayLike<number>,
  quantileMatrix: ArrayLike<number>,
  levels: ArrayLike<number>,
): number {
  const total = sumQuantileLoss(actual, quantileMatrix, levels, 'crpsApprox');
  if (total.observed === 0) return NaN;
  return (2 * total.loss) / (levels.length * total.observed);
}

interface QuantileLossTotals {
  /** Σ over observed steps and all levels of pinball (without the factor 2). */
  loss: number;
  absActual: number;
  observed: number;
}

function sumQuantileLoss(
  actual: ArrayLike<number>,
  matrix: ArrayLike<number>,
  levels: ArrayLike<number>,
  where: string,
): QuantileLossTotals {
  assertQuantileLevels(levels, where);
  assertNonEmpty(actual, where, 'actual');
  const nLevels = levels.length;
  assertQuantileMatrix(matrix, actual.length, nLevels, where);
  let loss = 0;
  let absActual = 0;
  let observed = 0;
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t];
    if (Number.isNaN(y)) continue;
    const row = t * nLevels;
    for (let q = 0; q < nLevels; q++) loss += pinballTerm(y, matrix[row + q], levels[q]);
    absActual += Math.abs(y);
    observed++;
  }
  return { loss, absActual, observed };
}
