/**
 * The model stage: every row to its full horizon — ONE batched forecastBatch call, or one per
 * round when the horizon is rolled out (rollout.ts) — with each call's output checked against
 * the rows it answers. Any failure leaves as a HarnessError('model-failure') naming the batch.
 */
import type { ForecastRow, QuantileForecast } from '@tsfm/tsfm-client';
import { HarnessError } from './errors.js';
import type { HarnessForecaster } from './forecaster.js';
import { forecastRolledOut, type RolledOut } from './rollout.js';

export function callModel(forecaster: HarnessForecaster, rows: readonly ForecastRow[]): Promise<RolledOut> {
  return forecastRolledOut(forecaster, rows, (round) => callOnce(forecaster, round));
}

async function callOnce(forecaster: HarnessForecaster, rows: readonly ForecastRow[]): Promise<QuantileForecast[]> {
  let out: QuantileForecast[];
  try {
    out = await forecaster.forecastBatch(rows);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new HarnessError(
      'model-failure',
      `forecastBatch failed on ${rows.length} rows: ${message}`,
      { rows: rows.length },
      { cause },
    );
  }
  const L = forecaster.levels.length;
  if (
    !Array.isArray(out) ||
    out.length !== rows.length ||
    out.some((f, i) => f?.quantiles?.length !== rows[i]!.horizon * L)
  ) {
    throw new HarnessError('model-failure', `forecastBatch returned a malformed result for ${rows.length} rows`, {
      rows: rows.length,
    });
  }
  return out;
}
