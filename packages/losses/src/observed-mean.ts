import { assertPaired } from './input-checks.js';

/**
 * The mean of term(y, ŷ) over the points whose actual is observed: the skeleton of every per-point
 * metric here (a NaN actual is a missing observation and is skipped; NaN when none is left; a NaN
 * forecast propagates through `term`). `where` names the metric in the input errors.
 */
export function observedMean(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  where: string,
  term: (y: number, yhat: number) => number,
): number {
  assertPaired(actual, forecast, where, 'actual', 'forecast');
  let sum = 0;
  let observed = 0;
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t];
    if (Number.isNaN(y)) continue;
    sum += term(y, forecast[t]);
    observed++;
  }
  return observed === 0 ? NaN : sum / observed;
}
