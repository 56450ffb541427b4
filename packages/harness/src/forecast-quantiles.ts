/**
 * A result's quantile forecast for one metric: [h × L] row-major at the model's levels — the
 * chosen model config's, a statistical member's, or a combination's — and its α-quantile path by
 * the same interpolation @tsfm/tsfm-client's QuantileForecast uses (it has this shape, so
 * consumers that read `quantiles`, `levels`, `horizon` and `quantileAt` take either).
 */
import { interpolateQuantileRow } from '@tsfm/losses';

export class ForecastQuantiles {
  constructor(
    /** quantiles[t · nLevels + k] = level k at step t after the forecast origin. */
    readonly quantiles: Float32Array,
    readonly horizon: number,
    /** The model's quantile levels, strictly increasing. */
    readonly levels: readonly number[],
  ) {}

  get nLevels(): number {
    return this.levels.length;
  }

  /** The α-quantile path (length `horizon`), linear between levels, flat beyond the outermost. */
  quantileAt(alpha: number, out?: Float32Array): Float32Array {
    return interpolateQuantileRow(this.levels, this.quantiles, this.levels.length, this.horizon, alpha, out);
  }
}
