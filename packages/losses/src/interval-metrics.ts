/**
 * Prediction-interval metrics (design.md §2).
 *
 * Missing data: in `coverage`, points whose actual is NaN are skipped (NaN if none is left).
 * A NaN bound at an observed point makes the result NaN: silently counting it as "not covered"
 * would hide a broken model behind a plausible number.
 */
import { assertPaired } from './input-checks.js';

/**
 * Fraction of observed points with lower ≤ y ≤ upper (bounds inclusive, so a degenerate interval
 * that hits the actual exactly counts as covering it). A crossed interval (lower > upper) covers
 * nothing.
 */
export function coverage(actual: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  assertPaired(actual, lower, 'coverage', 'actual', 'lower');
  assertPaired(actual, upper, 'coverage', 'actual', 'upper');
  let inside = 0;
  let observed = 0;
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t];
    if (Number.isNaN(y)) continue;
    const lo = lower[t];
    const hi = upper[t];
    if (Number.isNaN(lo) || Number.isNaN(hi)) return NaN;
    if (lo <= y && y <= hi) inside++;
    observed++;
  }
  return observed === 0 ? NaN : inside / observed;
}

/**
 * Mean of (upper − lower) over all steps. There is no actual here, so nothing is skipped: NaN
 * bounds propagate. Crossed intervals contribute their negative width, so a quantile-crossing
 * problem shows up instead of being averaged away.
 */
export function meanIntervalWidth(lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  assertPaired(lower, upper, 'meanIntervalWidth', 'lower', 'upper');
  let sum = 0;
  for (let t = 0; t < lower.length; t++) sum += upper[t] - lower[t];
  return sum / lower.length;
}
