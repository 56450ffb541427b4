/**
 * In-context calibration of a quantile fan by side: stretch or shrink the distance of every
 * quantile from the median, one factor above it and one below, so that on the series' own recent
 * past (backtests) the 80 % interval would have held.
 *
 * Why: a frozen model's intervals are as wide as its pretraining data taught it, and a series
 * noisier than anything it saw (NAB's CPU metrics: both tails missed 13–25 % of the time on the
 * validation set v2-val) gets intervals that are too narrow whatever the history says. The
 * history can say it: forecast from a few origins inside it, see how far the actuals fell from
 * the median relative to the 0.1/0.9 quantiles, and scale. This is split-conformal calibration
 * (conformalised quantile regression with a multiplicative score) run per series on its own past,
 * and per side, since a series' up and down surprises differ (a CPU metric spikes up; a counter
 * drops to 0). The median — the point forecast — never moves.
 *
 * The settings were chosen on v2-val only (model card § In-context calibration): 6 backtests
 * one horizon apart (each with ≥ 64 points before its origin), the 0.8 empirical quantile of the
 * ratios on each side, factors in [0.5, 4].
 */

/** The chosen settings (v2-val): how many backtests, which ratio quantile, the factor bounds. */
export const IN_CONTEXT_CALIBRATION = {
  backtests: 6,
  /** A backtest needs this many points before its origin (shorter ones are skipped). */
  minBacktestHistory: 64,
  ratioQuantile: 0.8,
  minScale: 0.5,
  maxScale: 4,
} as const;

export interface SideScaleSettings {
  readonly ratioQuantile: number;
  readonly minScale: number;
  readonly maxScale: number;
}

/** Factor for the quantiles above the median (`up`) and below it (`down`); 1 leaves a side alone. */
export interface SideScales {
  readonly up: number;
  readonly down: number;
}

/**
 * Collects backtest points' ratios: on the upper side (actual ≥ median) the actual's distance
 * from the median over the upper quantile's, on the lower side likewise. Points where the
 * interval side has zero width carry no scale information and are skipped.
 */
export class SideRatios {
  readonly #up: number[] = [];
  readonly #down: number[] = [];

  add(actual: number, median: number, lower: number, upper: number): void {
    if (!Number.isFinite(actual) || !Number.isFinite(median)) return;
    const above = upper - median;
    const below = median - lower;
    if (actual >= median && above > 0) this.#up.push((actual - median) / above);
    if (actual <= median && below > 0) this.#down.push((median - actual) / below);
  }

  get count(): number {
    return this.#up.length + this.#down.length;
  }

  /**
   * The ratio quantile of each side, clipped to the bounds; 1 for a side without points. The
   * lower empirical quantile (the ⌈p·n⌉-th smallest ratio): no interpolation between backtests.
   */
  scales(settings: SideScaleSettings = IN_CONTEXT_CALIBRATION): SideScales {
    const pick = (ratios: number[]): number => {
      if (ratios.length === 0) return 1;
      const sorted = [...ratios].sort((a, b) => a - b);
      const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(settings.ratioQuantile * sorted.length) - 1));
      return Math.min(settings.maxScale, Math.max(settings.minScale, sorted[i]));
    };
    return { up: pick(this.#up), down: pick(this.#down) };
  }
}

/**
 * Moves every quantile of a row-major [horizon × nLevels] fan away from (factor > 1) or towards
 * (factor < 1) the median, in place; levels above the median use `up`, below it `down`. Order is
 * preserved (positive factors), so a non-crossing fan stays non-crossing. With `clampNonNegative`
 * a quantile pushed below 0 is set to 0 again, as the config that made the fan would have. A
 * factor of exactly 1 leaves its side's values bit-identical.
 */
export function scaleAroundMedian(
  quantiles: Float32Array | number[],
  nLevels: number,
  horizon: number,
  medianIndex: number,
  scales: SideScales,
  clampNonNegative: boolean,
): void {
  if (!Number.isInteger(medianIndex) || medianIndex < 0 || medianIndex >= nLevels)
    throw new RangeError(`scaleAroundMedian: median index ${medianIndex} is not a level index (0…${nLevels - 1})`);
  if (!(scales.up > 0) || !(scales.down > 0))
    throw new RangeError(`scaleAroundMedian: factors must be positive (up ${scales.up}, down ${scales.down})`);
  for (let t = 0; t < horizon; t++) {
    const row = t * nLevels;
    const median = quantiles[row + medianIndex];
    for (let k = 0; k < nLevels; k++) {
      if (k === medianIndex) continue;
      const factor = k > medianIndex ? scales.up : scales.down;
      // Exactly as it was: m + 1·(q − m) can differ from q in the last bit.
      if (factor === 1) continue;
      const v = median + factor * (quantiles[row + k] - median);
      quantiles[row + k] = clampNonNegative && v < 0 ? 0 : v;
    }
  }
}
