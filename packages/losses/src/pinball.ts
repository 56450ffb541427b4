/**
 * Pinball (quantile) loss, the project's cost-asymmetric score (design.md §2).
 *
 * At level α an under-prediction (y > ŷ) costs α per unit and an over-prediction (ŷ > y) costs
 * 1 − α per unit, so its expected value is minimised by the α-quantile of y: a tier that pays
 * more for shortfalls (high α) is pushed to provision higher.
 *
 * Missing data: NaN in `actual` marks a missing observation and the point is skipped; if no
 * point is left the mean is NaN. NaN in `forecast` at an observed point propagates (a model that
 * emits NaN must not get a finite score).
 */
import { assertOpenUnit } from './input-checks.js';
import { observedMean } from './observed-mean.js';

/** α·max(0, y − ŷ) + (1 − α)·max(0, ŷ − y). */
export function pinball(y: number, yhat: number, alpha: number): number {
  assertOpenUnit(alpha, 'pinball', 'alpha');
  return pinballTerm(y, yhat, alpha);
}

/**
 * The unchecked kernel: callers validate α once per series instead of once per point.
 * Written as a branch so that α = 0.5 gives exactly half of |y − ŷ| and the loss is monotone
 * in α under floating-point rounding (a product with a fixed-sign factor is monotone).
 */
export function pinballTerm(y: number, yhat: number, alpha: number): number {
  const d = y - yhat;
  return d >= 0 ? alpha * d : (1 - alpha) * -d;
}

/** Mean pinball loss over observed points (NaN actuals skipped; NaN if none observed). */
export function meanPinball(actual: ArrayLike<number>, forecast: ArrayLike<number>, alpha: number): number {
  assertOpenUnit(alpha, 'meanPinball', 'alpha');
  return observedMean(actual, forecast, 'meanPinball', (y, yhat) => pinballTerm(y, yhat, alpha));
}
