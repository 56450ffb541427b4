/**
 * Positivity for resource metrics: CPU, bytes and request counts cannot go below zero, but
 * additive models (MSTL, ARIMA, Prophet) extrapolate spikes into negative forecasts, and a
 * negative forecast of a near-zero actual scores the maximal sMAPE of 200. The TSFM's default
 * config clamps (`clampNonNegative`); the evaluation applies the same rule to every model so the
 * comparison is like for like.
 */
import type { ForecastInput, Forecaster, QuantileForecast } from './types.js';

/** True when the history has no negative finite value (so the series is plausibly non-negative). */
export function looksNonNegative(history: ArrayLike<number>): boolean {
  for (let i = 0; i < history.length; i++) if (history[i] < 0) return false;
  return true;
}

/** max(0, ·) on the point and every quantile; monotone, so rows stay non-crossing. */
export function clampForecast(f: QuantileForecast): QuantileForecast {
  return {
    point: f.point.map((v) => Math.max(0, v)),
    levels: f.levels,
    quantiles: f.quantiles.map((v) => Math.max(0, v)),
  };
}

/** Wraps a model: forecasts of series whose history is non-negative are clamped at 0. */
export function nonNegative(model: Forecaster): Forecaster {
  const clampIfNeeded = (input: ForecastInput, f: QuantileForecast): QuantileForecast =>
    looksNonNegative(input.history) ? clampForecast(f) : f;
  const many = model.forecastMany?.bind(model);
  return {
    name: model.name,
    async forecast(input) {
      return clampIfNeeded(input, await model.forecast(input));
    },
    ...(many
      ? {
          async forecastMany(inputs: readonly ForecastInput[]) {
            const out = await many(inputs);
            return out.map((f, i) => clampIfNeeded(inputs[i], f));
          },
        }
      : {}),
  };
}
