/**
 * Input validation and the missing-value policy shared by every forecaster, so that "NaN in
 * history" means the same thing for naive, ARIMA and the TSFM alike.
 */
import { DEFAULT_LEVELS, ForecastInputError, type ForecastInput } from './types.js';

export interface PreparedInput {
  /** History with leading NaNs dropped and interior/trailing gaps filled (see fillMissing). */
  readonly y: Float64Array;
  readonly horizon: number;
  readonly levels: readonly number[];
  /** The period the caller gave, or undefined (the model decides whether to detect one). */
  readonly period: number | undefined;
  /** How many leading NaNs were dropped: y[0] is history[offset]. */
  readonly offset: number;
}

/** Validates an input and applies the missing-value policy; throws ForecastInputError. */
export function prepareInput(input: ForecastInput): PreparedInput {
  const { history, horizon, period } = input;
  const levels = input.levels ?? DEFAULT_LEVELS;
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new ForecastInputError(`horizon must be an integer ≥ 1, got ${horizon}`);
  }
  if (period !== undefined && (!Number.isInteger(period) || period < 1)) {
    throw new ForecastInputError(`period must be an integer ≥ 1, got ${period}`);
  }
  validateLevels(levels);
  let offset = 0;
  while (offset < history.length && !Number.isFinite(history[offset])) offset++;
  const y = fillMissing(history, period ?? 1);
  if (y.length === 0) {
    throw new ForecastInputError(`history has no finite value (length ${history.length}); cannot forecast`);
  }
  return { y, horizon, levels, period, offset };
}

export function validateLevels(levels: readonly number[]): void {
  if (levels.length === 0) throw new ForecastInputError('levels must not be empty');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (!(l > 0 && l < 1)) throw new ForecastInputError(`level ${l} is not in (0, 1)`);
    if (i > 0 && !(l > levels[i - 1])) {
      throw new ForecastInputError(`levels must be strictly increasing (${levels.join(', ')})`);
    }
  }
}

/**
 * Missing-value policy: leading NaNs are dropped (there is nothing to fill them from); an
 * interior or trailing NaN takes the value one period earlier when the period is known and that
 * point exists, else it is linearly interpolated between its finite neighbours (carried forward
 * past the last finite value). The seasonal copy comes first because a linear bridge across a
 * gap in a strongly seasonal series flattens the cycle that seasonal models rely on.
 * ±Infinity is treated as missing.
 */
export function fillMissing(values: ArrayLike<number>, period = 1): Float64Array {
  let first = 0;
  while (first < values.length && !Number.isFinite(values[first])) first++;
  const n = values.length - first;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = values[first + i];
  let prev = -1; // index of the last finite (original or filled) value
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(y[i])) {
      prev = i;
      continue;
    }
    if (period > 1 && i >= period) {
      y[i] = y[i - period];
      prev = i;
      continue;
    }
    let next = i + 1;
    while (next < n && !Number.isFinite(y[next])) next++;
    const a = y[prev];
    if (next >= n) {
      y[i] = a;
    } else {
      const b = y[next];
      y[i] = a + ((b - a) * (i - prev)) / (next - prev);
    }
    prev = i;
  }
  return y;
}
