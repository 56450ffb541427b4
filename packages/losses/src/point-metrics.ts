/**
 * Point-forecast accuracy (design.md §2), with the M4 competition definitions for sMAPE, MASE and
 * OWA so results can be compared with published M4 tables.
 *
 * Missing data: points whose actual is NaN are skipped; if none is left the metric is NaN. A NaN
 * forecast at an observed point propagates.
 */
import { LossInputError } from './errors.js';
import { assertPaired } from './input-checks.js';
import { observedMean } from './observed-mean.js';
import { seasonalNaiveScale } from './scaling.js';

/** Mean absolute error. */
export function mae(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  return observedMean(actual, forecast, 'mae', (y, yhat) => Math.abs(y - yhat));
}

/** Root mean squared error. */
export function rmse(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  return Math.sqrt(
    observedMean(actual, forecast, 'rmse', (y, yhat) => {
      const e = y - yhat;
      return e * e;
    }),
  );
}

/**
 * Symmetric MAPE in percent, M4 definition: mean of 200·|y − ŷ| / (|y| + |ŷ|), in [0, 200].
 * A term with y = ŷ = 0 counts 0 (a perfect forecast of an idle point is not an error; M4 itself
 * never hit 0/0 because its series are positive).
 */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  return observedMean(actual, forecast, 'smape', (y, yhat) => {
    const denominator = Math.abs(y) + Math.abs(yhat);
    // A NaN forecast makes denominator NaN and must propagate, so test for exactly 0.
    return denominator === 0 ? 0 : (200 * Math.abs(y - yhat)) / denominator;
  });
}

/**
 * Mean absolute scaled error, M4 definition: MAE(actual, forecast) divided by the in-sample MAE
 * of the seasonal naive forecast with lag m (`seasonalNaiveScale`, which falls back to lag 1 for
 * histories shorter than m + 1 and returns NaN when it cannot be computed).
 * M4 leaves MASE undefined for a constant history; we return the literal quotient (Infinity, or
 * NaN if the forecast is also perfect) rather than invent a scale. Use `scaleFreePinball` when a
 * finite number is required.
 */
export function mase(
  insample: ArrayLike<number>,
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  m: number,
): number {
  assertPaired(actual, forecast, 'mase', 'actual', 'forecast');
  return mae(actual, forecast) / seasonalNaiveScale(insample, m);
}

/**
 * Overall weighted average, M4 definition: ½·(sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2).
 * Below 1 beats Naive2. The Naive2 references must be finite and > 0 (a reference with zero
 * error leaves the ratio undefined).
 */
export function owa(smapeValue: number, maseValue: number, naive2Smape: number, naive2Mase: number): number {
  assertUsableReference(naive2Smape, 'naive2Smape');
  assertUsableReference(naive2Mase, 'naive2Mase');
  return 0.5 * (smapeValue / naive2Smape + maseValue / naive2Mase);
}

function assertUsableReference(reference: number, name: string): void {
  if (!(reference > 0 && Number.isFinite(reference))) {
    throw new LossInputError(`owa: ${name} must be finite and > 0, got ${reference}`);
  }
}
