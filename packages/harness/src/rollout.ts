/**
 * Horizons beyond the model's reach, rolled out the way the fixed-config TSFM adapter
 * (@tsfm/baselines `tsfm`) does: forecast what one call reaches, append the median path to the
 * history, forecast again from there, until the horizon is covered. Each round is ONE batched call
 * over every row that still needs steps, so a request that rolls out R times makes R calls.
 *
 * The harness rolls out only when NO config of its space reaches the horizon in one call (the
 * request's `RequestReach.rollout`): wherever a native forecast exists it is preferred, so every
 * request that was servable before is served exactly as before. A rolled-out forecast conditions
 * on its own median, so its later steps are a point continuation with the model's spread, not a
 * joint forecast; the rounds are capped (MAX_ROLLOUT_ROUNDS) because every round compounds that.
 */
import { interpolateQuantileRow } from '@tsfm/losses';
import { QuantileForecast, type ForecastRow } from '@tsfm/tsfm-client';
import type { HarnessForecaster } from './forecaster.js';

/** At most this many model calls per row: the longest horizon is 8 × the coarsest reach. */
export const MAX_ROLLOUT_ROUNDS = 8;

/** Model calls a row of `horizon` steps needs when one call reaches `reach` steps. */
export function rolloutRounds(horizon: number, reach: number): number {
  return Math.max(1, Math.ceil(horizon / reach));
}

export interface RolledOut {
  readonly forecasts: QuantileForecast[];
  /** Model calls made (1 without rollout; 0 for no rows). */
  readonly calls: number;
}

interface RowState {
  readonly row: ForecastRow;
  readonly reach: number;
  /** History the next round conditions on, and where it ends. */
  values: Float32Array;
  end: number;
  done: number;
  readonly quantiles: Float32Array;
}

/**
 * Forecast every row to its full horizon. `call` is one batched model call (the harness passes
 * its own, which validates the output and turns failures into HarnessErrors); rows within one
 * call's reach take exactly one call together, as they would without this function.
 */
export async function forecastRolledOut(
  forecaster: Pick<HarnessForecaster, 'levels' | 'maxHorizonMinutes'>,
  rows: readonly ForecastRow[],
  call: (rows: readonly ForecastRow[]) => Promise<QuantileForecast[]>,
): Promise<RolledOut> {
  if (rows.length === 0) return { forecasts: [], calls: 0 };
  const reaches = rows.map((row) => forecaster.maxHorizonMinutes(row.config));
  if (rows.every((row, i) => row.horizon <= reaches[i])) return { forecasts: await call(rows), calls: 1 };

  const levels = forecaster.levels;
  const L = levels.length;
  const states: RowState[] = rows.map((row, i) => ({
    row,
    reach: reaches[i],
    values: row.values,
    end: row.end ?? row.values.length,
    done: 0,
    quantiles: new Float32Array(row.horizon * L),
  }));
  let calls = 0;
  for (;;) {
    const active = states.filter((s) => s.done < s.row.horizon);
    if (active.length === 0) break;
    const steps = active.map((s) => Math.min(s.reach, s.row.horizon - s.done));
    const out = await call(
      active.map((s, i) => ({ values: s.values, end: s.end, horizon: steps[i], config: s.row.config })),
    );
    calls++;
    active.forEach((s, i) => {
      const q = out[i].quantiles;
      s.quantiles.set(q, s.done * L);
      s.done += steps[i];
      if (s.done < s.row.horizon) extendWithMedian(s, q, steps[i], levels);
    });
  }
  return {
    forecasts: states.map((s) => new QuantileForecast(s.quantiles, s.row.horizon, levels, s.row.config)),
    calls,
  };
}

/**
 * The next round's history: the part of values[0, end) any config of this row can see (its
 * context at its resolution — a multiple of the resolution, so the buckets stay aligned to the
 * origin) followed by the median path just forecast. A log1p row's history is non-negative (else
 * it would not have been served), so its median continuation is floored at 0 to stay servable.
 */
function extendWithMedian(s: RowState, q: Float32Array, steps: number, levels: readonly number[]): void {
  const { contextLength, resolutionMinutes, normalisation } = s.row.config;
  const keep = Math.min(s.end, contextLength * resolutionMinutes);
  const median = interpolateQuantileRow(levels, q, levels.length, steps, 0.5);
  const next = new Float32Array(keep + steps);
  next.set(s.values.subarray(s.end - keep, s.end));
  for (let t = 0; t < steps; t++) {
    const v = median[t];
    next[keep + t] = normalisation === 'log1p' && v < 0 ? 0 : v;
  }
  s.values = next;
  s.end = next.length;
}
