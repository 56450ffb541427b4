/**
 * Prediction-interval metrics (design.md §2).
 *
 * Missing data: in `coverage`, points whose actual is NaN are skipped (NaN if none is left).
 * A NaN bound at an observed point makes the result NaN: silently counting it as "not covered"
 * would hide a broken model behind a plausible number.
 */
import { assertPaired } from './input-checks.js';

/** Where the observed points fall against an interval; inside + below + above = observed. */
export interface IntervalSides {
  observed: number;
  inside: number;
  below: number;
  above: number;
}

/**
 * `coverage`'s count split by side: a miss below the lower bound and a miss above the upper one
 * call for different fixes (a too-narrow lower tail, a biased median), so a calibration report
 * needs both. Same conventions as `coverage` (NaN actuals skipped, a NaN bound at an observed
 * point throws, since a count cannot be NaN; a crossed interval: below and above both checked,
 * below first).
 */
export function intervalSides(
  actual: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
): IntervalSides {
  assertPaired(actual, lower, 'intervalSides', 'actual', 'lower');
  assertPaired(actual, upper, 'intervalSides', 'actual', 'upper');
  const sides: IntervalSides = { observed: 0, inside: 0, below: 0, above: 0 };
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t];
    if (Number.isNaN(y)) continue;
    const lo = lower[t];
    const hi = upper[t];
    if (Number.isNaN(lo) || Number.isNaN(hi)) throw new RangeError(`intervalSides: NaN bound at observed point ${t}`);
    sides.observed++;
    if (y < lo) sides.below++;
    else if (y > hi) sides.above++;
    else sides.inside++;
  }
  return sides;
}

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
