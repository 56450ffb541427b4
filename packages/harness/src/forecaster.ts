/**
 * What the harness needs from a forecaster: exactly the part of @tsfm/tsfm-client's TsfmClient
 * it calls, as a structural interface. The real client satisfies it as is; selection-logic tests
 * pass small fakes with rigged forecasts.
 */
import type { ForecastConfig, ForecastRow, QuantileForecast } from '@tsfm/tsfm-client';

export interface HarnessForecaster {
  /** Quantile levels of every forecast, strictly increasing. */
  readonly levels: readonly number[];
  /** Model context (steps at the row's resolution) and horizon (model steps). */
  readonly contract: { readonly contextLength: number; readonly horizon: number };
  /** Whether the model can serve this config at all (context fits, flip needs symmetric levels). */
  supportsConfig(config: ForecastConfig): boolean;
  /** Longest horizon (minutes) one row can ask for at this resolution. */
  maxHorizonMinutes(config: Pick<ForecastConfig, 'resolutionMinutes'>): number;
  /**
   * All rows in ONE model call; results in row order. Rows carry the 1-minute history, the
   * origin (`end`), the horizon and the config; see TsfmClient.forecastBatch.
   */
  forecastBatch(rows: readonly ForecastRow[]): Promise<QuantileForecast[]>;
}

/** Rows the model itself runs for a request row: flip sends x and −x. */
export function modelRowsFor(config: Pick<ForecastConfig, 'flip'>): number {
  return config.flip ? 2 : 1;
}
