/**
 * What a forecast means for capacity (design.md §2): treat ŷ as the provisioned amount and y as
 * the demand that arrived.
 *
 * Missing data: points whose actual is NaN are skipped; if none is left the metric is NaN. A NaN
 * forecast at an observed point makes the result NaN (Math.max propagates NaN; the fraction checks
 * explicitly, because a comparison with NaN would otherwise count as "not under-provisioned").
 */
import { assertPaired } from './input-checks.js';
import { observedMean } from './observed-mean.js';

/** Fraction of observed points where demand exceeded the provision (y > ŷ, strictly). */
export function underProvisionedFraction(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  assertPaired(actual, forecast, 'underProvisionedFraction', 'actual', 'forecast');
  let under = 0;
  let observed = 0;
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t];
    if (Number.isNaN(y)) continue;
    const yhat = forecast[t];
    if (Number.isNaN(yhat)) return NaN;
    if (y > yhat) under++;
    observed++;
  }
  return observed === 0 ? NaN : under / observed;
}

/** Mean of max(0, y − ŷ): demand left unserved per step, in the series' units. */
export function meanShortfall(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  return observedMean(actual, forecast, 'meanShortfall', (y, yhat) => Math.max(0, y - yhat));
}

/** Mean of max(0, ŷ − y): capacity provisioned but unused per step, in the series' units. */
export function meanSlack(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  return observedMean(actual, forecast, 'meanSlack', (y, yhat) => Math.max(0, yhat - y));
}
