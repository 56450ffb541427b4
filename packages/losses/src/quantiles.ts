/**
 * Reading an arbitrary level (a tier's α) off a model's fixed quantile levels (design.md §2).
 *
 * Between two model levels the value is interpolated linearly in the level. Outside
 * [first level, last level] the nearest end value is returned (flat extrapolation): a model
 * trained on 0.01…0.99 says nothing about the shape of the tails beyond, and extending the
 * outermost slope can overshoot wildly (or cross zero) when the last two levels are close, so we
 * refuse to invent tail mass. Requests for a level equal to a model level return that value
 * exactly.
 *
 * Values need not be sorted (a model may emit crossed quantiles); the result always lies between
 * the two bracketing values.
 */
import { LossInputError } from './errors.js';
import { assertOpenUnit, assertQuantileLevels, assertQuantileMatrix } from './input-checks.js';

/** The value at `level`, from `values[i]` at `levels[i]` (levels strictly increasing in (0, 1)). */
export function interpolateQuantile(levels: ArrayLike<number>, values: ArrayLike<number>, level: number): number {
  assertQuantileLevels(levels, 'interpolateQuantile');
  assertOpenUnit(level, 'interpolateQuantile', 'level');
  if (values.length !== levels.length) {
    throw new LossInputError(
      `interpolateQuantile: ${levels.length} levels but ${values.length} values; they must be aligned`,
    );
  }
  const upper = quantileBracket(levels, level);
  return quantileAtStep(values, 0, levels, upper, level);
}

/**
 * For a row-major [horizon × nLevels] quantile matrix, the value at `level` for every step.
 * Writes into `out` when given (length `horizon`), so a caller scoring many configs can reuse one
 * buffer; otherwise allocates it. The bracket is found once: it is the same for every step.
 */
export function interpolateQuantileRow(
  levels: ArrayLike<number>,
  matrix: Float32Array,
  nLevels: number,
  horizon: number,
  level: number,
  out?: Float32Array,
): Float32Array {
  const where = 'interpolateQuantileRow';
  assertQuantileLevels(levels, where);
  assertOpenUnit(level, where, 'level');
  if (levels.length !== nLevels) {
    throw new LossInputError(`${where}: nLevels is ${nLevels} but levels has ${levels.length} entries`);
  }
  if (!Number.isInteger(horizon) || horizon < 0) {
    throw new LossInputError(`${where}: horizon must be a non-negative integer, got ${horizon}`);
  }
  assertQuantileMatrix(matrix, horizon, nLevels, where);
  const result = out ?? new Float32Array(horizon);
  if (result.length !== horizon) {
    throw new LossInputError(`${where}: out has length ${result.length} but horizon is ${horizon}`);
  }
  const upper = quantileBracket(levels, level);
  for (let h = 0; h < horizon; h++) {
    result[h] = quantileAtStep(matrix, h * nLevels, levels, upper, level);
  }
  return result;
}

/**
 * Index of the first level ≥ `level`, or levels.length if all are below: the bracket every step of
 * a row shares (quantileAtStep). Levels are few (≤ ~25). No input checks.
 */
export function quantileBracket(levels: ArrayLike<number>, level: number): number {
  let i = 0;
  while (i < levels.length && levels[i] < level) i++;
  return i;
}

/**
 * One step of interpolateQuantileRow — the value at `level` of the row values[offset, offset +
 * levels.length), `upper` = quantileBracket(levels, level) — without its input checks: for hot
 * loops that validated levels and level once (the harness's scoring).
 */
export function quantileAtStep(
  values: ArrayLike<number>,
  offset: number,
  levels: ArrayLike<number>,
  upper: number,
  level: number,
): number {
  const n = levels.length;
  if (upper === 0) return values[offset];
  if (upper === n) return values[offset + n - 1];
  const hi = values[offset + upper];
  if (levels[upper] === level) return hi;
  const lo = values[offset + upper - 1];
  const t = (level - levels[upper - 1]) / (levels[upper] - levels[upper - 1]);
  const v = lo + t * (hi - lo);
  // lo + t·(hi − lo) is monotone in t, but just below a model level t can round to 1 and
  // lo + (hi − lo) can round past `hi`; the curve would then dip at the model level. Clamping to
  // the bracket keeps it monotone (see the rounding regression test).
  return lo <= hi ? Math.min(Math.max(v, lo), hi) : Math.min(Math.max(v, hi), lo);
}
