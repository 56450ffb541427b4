/**
 * The one surface every model in the workbench shares (design.md §7), the TSFM included.
 *
 * A forecaster takes a history and returns a full quantile forecast: a point path plus a
 * row-major `[horizon × nLevels]` quantile matrix at the requested levels. Models without native
 * intervals still return quantiles (empirical residual quantiles), so that every scorer, the
 * harness and the evaluation table can treat "a list of forecasters" uniformly.
 */

/** Levels every forecaster returns unless asked otherwise: tails included, for tiers up to 0.99. */
export const DEFAULT_LEVELS: readonly number[] = Object.freeze([
  0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
]);

export interface ForecastInput {
  /** Observations on a regular grid, oldest first; NaN marks a missing point. */
  readonly history: Float32Array;
  /** Number of steps to forecast (≥ 1). */
  readonly horizon: number;
  /**
   * Seasonal period in steps (24 for hourly data with a daily cycle, 288 for 5-minute data).
   * Omitted: models that need one detect it with `detectPeriod`; 1 means non-seasonal.
   */
  readonly period?: number;
  /** Quantile levels in (0, 1), strictly increasing; defaults to DEFAULT_LEVELS. */
  readonly levels?: readonly number[];
  /**
   * Epoch ms of history[0] and the grid step, for calendar-aware models (Prophet's weekly and
   * daily terms). Omitted: a synthetic clock whose day is `period` steps (hourly if no period).
   */
  readonly start?: number;
  readonly stepMs?: number;
}

export interface QuantileForecast {
  /** Point forecast, length = horizon. */
  readonly point: Float32Array;
  /** The levels of the quantile columns, strictly increasing. */
  readonly levels: readonly number[];
  /** Row-major `[horizon × levels.length]`; each row is non-decreasing (no crossing). */
  readonly quantiles: Float32Array;
}

export interface Forecaster {
  /** Short stable identifier used by the CLI and in tables (`naive`, `snaive`, `arima`, …). */
  readonly name: string;
  forecast(input: ForecastInput): Promise<QuantileForecast>;
  /**
   * Forecast many independent inputs. Models that batch natively (the TSFM: one session call
   * for all rows) override the default one-by-one loop; the result order matches the input.
   */
  forecastMany?(inputs: readonly ForecastInput[]): Promise<QuantileForecast[]>;
}

/** Thrown for inputs no model can forecast from (empty/all-NaN history, bad horizon or levels). */
export class ForecastInputError extends Error {
  override readonly name = 'ForecastInputError';
}

/** Thrown when an optional model dependency (e.g. Prophet's optimizer) is unavailable. */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';
}

/**
 * Runs `forecastMany` when a model has it, else one `forecast` call per input, in order.
 * The orchestrator and the CLI call forecasters only through this, so batching is invisible.
 */
export async function forecastAll(model: Forecaster, inputs: readonly ForecastInput[]): Promise<QuantileForecast[]> {
  if (model.forecastMany) return model.forecastMany(inputs);
  const out: QuantileForecast[] = [];
  for (const input of inputs) out.push(await model.forecast(input));
  return out;
}
