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

/**
 * Rows of several models: each model's rows in ONE batched call of its own (the models run one
 * after the other), the results back in row order. `rowModel[r]` indexes `forecasters`.
 */
export async function callModels(
  forecasters: readonly HarnessForecaster[],
  rows: readonly ForecastRow[],
  rowModel: Int32Array,
): Promise<RolledOut> {
  if (forecasters.length === 1) return callModel(forecasters[0], rows);
  const out = new Array<QuantileForecast>(rows.length);
  let calls = 0;
  for (let j = 0; j < forecasters.length; j++) {
    const mine: number[] = [];
    for (let r = 0; r < rows.length; r++) if (rowModel[r] === j) mine.push(r);
    if (mine.length === 0) continue;
    const result = await callModel(
      forecasters[j],
      mine.map((r) => rows[r]),
    );
    calls += result.calls;
    mine.forEach((r, i) => (out[r] = result.forecasts[i]));
  }
  return { forecasts: out, calls };
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
    out.some((f, i) => f?.quantiles?.length !== rows[i].horizon * L)
  ) {
    throw new HarnessError('model-failure', `forecastBatch returned a malformed result for ${rows.length} rows`, {
      rows: rows.length,
    });
  }
  return out;
}
