/**
 * Making losses scale-free (design.md §2): CPU fractions and network bytes can only be combined
 * after each series' loss is divided by a scale in its own units. The scale is the in-sample mean
 * absolute error of the seasonal naive forecast (lag m), as in MASE.
 *
 * Missing data: pairs (y_t, y_{t−m}) with a NaN on either side are skipped.
 *
 * Zero-scale policy (`robustSeasonalScale`, used by `scaleFreePinball`): a constant history has a
 * seasonal naive MAE of 0 and would turn every loss into Infinity (or 0/0 = NaN), poisoning any
 * mean across tenants — and idle tenants with flat disk or net series are common in a fleet.
 * When the seasonal scale is not a usable positive number, or is below
 * SCALE_RELATIVE_EPSILON × mean|history|, we fall back to mean|history| (still in the series'
 * units, so the loss stays scale-free), and to 1 when the history is all zeros or has no
 * observed points (the loss is then in raw units; an all-zero history carries no scale).
 */
import { LossInputError } from './errors.js';
import { assertSeasonalPeriod } from './input-checks.js';
import { meanPinball } from './pinball.js';

/**
 * A seasonal scale smaller than this fraction of the series' mean level is treated as zero.
 * Float32 storage resolves ~6e-8 relative, so anything below 1e-6 of the level is rounding
 * jitter on a flat signal, not variation worth dividing by.
 */
export const SCALE_RELATIVE_EPSILON = 1e-6;

/**
 * In-sample MAE of the seasonal naive forecast: mean over t ≥ m of |y_t − y_{t−m}|.
 * When the history is shorter than m + 1 points (no full season to compare with) it falls back
 * to lag 1, so a short history still gets a scale from its step-to-step variation.
 * Returns NaN when it cannot be computed (fewer than two points, or no observed pair). It returns
 * 0 for a constant history; see `robustSeasonalScale` for a scale that is never 0.
 */
export function seasonalNaiveScale(insample: ArrayLike<number>, m: number): number {
  assertSeasonalPeriod(m, 'seasonalNaiveScale');
  const lag = insample.length > m ? m : 1;
  let sum = 0;
  let pairs = 0;
  for (let t = lag; t < insample.length; t++) {
    const now = insample[t];
    const before = insample[t - lag];
    if (Number.isNaN(now) || Number.isNaN(before)) continue;
    sum += Math.abs(now - before);
    pairs++;
  }
  return pairs === 0 ? NaN : sum / pairs;
}

/**
 * `seasonalNaiveScale` with the zero-scale policy above: always finite and > 0 for finite input.
 * Compute it once per history and reuse it with `scaledPinball` when scoring many forecasts.
 */
export function robustSeasonalScale(insample: ArrayLike<number>, m: number): number {
  const seasonal = seasonalNaiveScale(insample, m);
  const level = meanAbsolute(insample);
  if (seasonal > 0 && !(seasonal <= SCALE_RELATIVE_EPSILON * level)) return seasonal;
  return level > 0 ? level : 1;
}

/**
 * meanPinball / scale. The scale must be finite and > 0: a caller passing a raw seasonal MAE of
 * 0 or NaN gets an error instead of a silent Infinity; use `robustSeasonalScale` to get one.
 */
export function scaledPinball(
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  alpha: number,
  scale: number,
): number {
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw new LossInputError(
      `scaledPinball: scale must be finite and > 0, got ${scale} (robustSeasonalScale never returns 0)`,
    );
  }
  return meanPinball(actual, forecast, alpha) / scale;
}

/** Pinball loss at α divided by the history's robust seasonal naive scale (lag m). */
export function scaleFreePinball(
  insample: ArrayLike<number>,
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  alpha: number,
  m: number,
): number {
  return scaledPinball(actual, forecast, alpha, robustSeasonalScale(insample, m));
}

/** Mean of |y| over observed points; NaN when none. */
function meanAbsolute(values: ArrayLike<number>): number {
  let sum = 0;
  let observed = 0;
  for (let t = 0; t < values.length; t++) {
    const v = values[t];
    if (Number.isNaN(v)) continue;
    sum += Math.abs(v);
    observed++;
  }
  return observed === 0 ? NaN : sum / observed;
}
