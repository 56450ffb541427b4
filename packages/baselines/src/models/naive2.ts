/**
 * Naive2, M4's benchmark and the denominator of OWA.
 *
 * If M4's seasonality test passes at lag m (n ≥ 3m and |r_m| above the 90% Bartlett bound), the
 * series is divided by the classical multiplicative seasonal figure, forecast naive-last, and
 * multiplied back by the figure of the forecast steps; otherwise it is naive-last.
 */
import { seasonalFigure, type DecompositionType } from '../decomposition.js';
import { prepareInput } from '../input.js';
import { detectPeriod, m4SeasonalityTest } from '../period.js';
import { withResidualQuantiles } from '../residual-quantiles.js';
import type { ForecastInput, Forecaster, QuantileForecast } from '../types.js';

export interface Naive2Options {
  readonly period?: number;
  readonly candidates?: readonly number[];
}

/**
 * Seasonal indices for every point of y plus `horizon` steps beyond, or undefined when the
 * series is not seasonal by M4's test. Outside M4's domain (a value ≤ 0, where a ratio to the
 * trend is meaningless) the additive decomposition is used instead — M4 has no such series.
 */
export function naive2Seasonality(
  y: Float64Array,
  m: number,
): { figure: Float64Array; type: DecompositionType } | undefined {
  if (!m4SeasonalityTest(y, m)) return undefined;
  let positive = true;
  for (let i = 0; i < y.length; i++) if (!(y[i] > 0)) positive = false;
  const type: DecompositionType = positive ? 'multiplicative' : 'additive';
  return { figure: seasonalFigure(y, m, type), type };
}

export function naive2Forecaster(options: Naive2Options = {}): Forecaster {
  return {
    name: 'naive2',
    async forecast(input: ForecastInput): Promise<QuantileForecast> {
      const prepared = prepareInput(input);
      const { y, horizon, levels } = prepared;
      const m = prepared.period ?? options.period ?? detectPeriod(y, options.candidates);
      const season = naive2Seasonality(y, m);
      const mult = season?.type !== 'additive';
      const index = (i: number): number => (season ? season.figure[i % m] : mult ? 1 : 0);
      const adjust = (i: number): number => (mult ? y[i] / index(i) : y[i] - index(i));
      const restore = (a: number, i: number): number => (mult ? a * index(i) : a + index(i));
      // Quantiles come from the same rule at earlier origins, with the figure estimated once on
      // the full history: a small look-ahead that only affects interval width, never the point.
      const pathAt = (o: number, out: Float64Array): void => {
        const last = adjust(o - 1);
        for (let k = 0; k < out.length; k++) out[k] = restore(last, o + k);
      };
      const point = new Float64Array(horizon);
      pathAt(y.length, point);
      return withResidualQuantiles(y, point, levels, 1, pathAt);
    },
  };
}
