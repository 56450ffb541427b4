/**
 * One row's forecast: quantiles at 1-minute steps, row-major [horizon × nLevels] (the layout
 * @tsfm/losses scores), plus the tier's α-quantile by interpolation between levels.
 */
import { interpolateQuantileRow } from '@tsfm/losses';
import type { ForecastConfig } from './config.js';

export class QuantileForecast {
  constructor(
    /** quantiles[t · nLevels + k] = level k at minute t after the forecast origin. */
    readonly quantiles: Float32Array,
    /** Forecast length in 1-minute steps. */
    readonly horizon: number,
    /** The model's quantile levels, strictly increasing. */
    readonly levels: readonly number[],
    /** The config that produced it. */
    readonly config: ForecastConfig,
  ) {}

  get nLevels(): number {
    return this.levels.length;
  }

  /**
   * The α-quantile path (length `horizon`): linear in the level between the two bracketing model
   * levels, flat beyond the outermost ones (see @tsfm/losses). Pass `out` to reuse a buffer.
   */
  quantileAt(alpha: number, out?: Float32Array): Float32Array {
    return interpolateQuantileRow(this.levels, this.quantiles, this.levels.length, this.horizon, alpha, out);
  }
}
