/**
 * Naive-last and seasonal naive: the floors every other model must beat.
 */
import { prepareInput } from '../input.js';
import { detectPeriod } from '../period.js';
import { withResidualQuantiles } from '../residual-quantiles.js';
import type { ForecastInput, Forecaster, QuantileForecast } from '../types.js';

/** ŷ_{n+k} = y_n. Quantiles: direct k-step errors of the same rule at earlier origins. */
export function naiveForecaster(): Forecaster {
  return {
    name: 'naive',
    async forecast(input: ForecastInput): Promise<QuantileForecast> {
      const { y, horizon, levels } = prepareInput(input);
      const point = new Float64Array(horizon).fill(y[y.length - 1]);
      return withResidualQuantiles(y, point, levels, 1, (o, out) => out.fill(y[o - 1]));
    },
  };
}

export interface SeasonalNaiveOptions {
  /** Period used when the input carries none; omitted → detectPeriod(history, candidates). */
  readonly period?: number;
  readonly candidates?: readonly number[];
}

/**
 * ŷ_{n+k} = y_{n−m+((k−1) mod m)+1}: the last observed cycle, repeated. With period 1 (given or
 * detected) it is naive-last. Quantiles: direct k-step errors at earlier origins.
 */
export function seasonalNaiveForecaster(options: SeasonalNaiveOptions = {}): Forecaster {
  return {
    name: 'snaive',
    async forecast(input: ForecastInput): Promise<QuantileForecast> {
      const prepared = prepareInput(input);
      const { y, horizon, levels } = prepared;
      let m = prepared.period ?? options.period ?? detectPeriod(y, options.candidates);
      if (m > y.length) m = 1; // less than one cycle seen: nothing seasonal to repeat
      const pathAt = (o: number, out: Float64Array): void => {
        for (let k = 0; k < out.length; k++) out[k] = y[o - m + (k % m)];
      };
      const point = new Float64Array(horizon);
      pathAt(y.length, point);
      return withResidualQuantiles(y, point, levels, m, pathAt);
    },
  };
}
