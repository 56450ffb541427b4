/**
 * What the harness needs from a forecaster: exactly the part of @tsfm/tsfm-client's TsfmClient it
 * calls, which is also what that package's MicroBatcher wraps and exposes, so one structural
 * interface (BatchForecaster) serves both. The real client and a MicroBatcher satisfy it as is;
 * selection-logic tests pass small fakes with rigged forecasts.
 */
import type { BatchForecaster, ForecastConfig } from '@tsfm/tsfm-client';

export type HarnessForecaster = BatchForecaster;

/** Rows the model itself runs for a request row: flip sends x and −x. */
export function modelRowsFor(config: Pick<ForecastConfig, 'flip'>): number {
  return config.flip ? 2 : 1;
}
