/**
 * The frozen TSFM behind the same Forecaster surface as the statistical baselines, at ONE fixed
 * config (design.md §7: the config is chosen beforehand on tuning tenants, never per series here).
 *
 * The client thinks in 1-minute steps and aggregates by `resolutionMinutes`; a series on another
 * grid (hourly M4, 5-minute NAB) is passed as if each of its steps were a minute, so resolution
 * 1 means "the series' own step" and horizon/context are counted in the series' steps.
 */
import { IN_CONTEXT_CALIBRATION, scaleAroundMedian, SideRatios, type SideScales } from '@tsfm/losses';
import { loadModel, type ClientOptions, type ForecastConfig, type TsfmClient } from '@tsfm/tsfm-client';
import { validateLevels } from '../input.js';
import { resampleLevels } from '../quantiles.js';
import {
  DEFAULT_LEVELS,
  ForecastInputError,
  type ForecastInput,
  type Forecaster,
  type QuantileForecast,
} from '../types.js';

export interface TsfmForecasterOptions {
  /** Config for every row; default: the client's default config (DEFAULT_CONFIG capped to the model). */
  readonly config?: ForecastConfig;
  /** Rows per session call (memory bound for the input tensor; one call per chunk). */
  readonly batchSize?: number;
  /**
   * `in-context`: before forecasting, the model forecasts from up to 6 origins inside each
   * series' own history and each side of the fan is scaled so those backtests' 80 % intervals
   * would have held (@tsfm/losses side-scales.ts; the median never moves). Default `none`.
   */
  readonly calibration?: 'none' | 'in-context';
  /** The name in tables (default `tsfm`). */
  readonly name?: string;
}

interface RowState {
  values: Float32Array;
  remaining: number;
  /** Model-level quantiles collected so far, row-major [steps × model levels]. */
  collected: number[];
}

export function tsfmForecaster(client: TsfmClient, options: TsfmForecasterOptions = {}): Forecaster {
  const config = options.config ?? client.defaultConfig;
  const batchSize = options.batchSize ?? 256;
  const modelLevels = client.levels;
  const maxSteps = client.maxHorizonMinutes(config);
  if (!client.supportsConfig(config)) {
    throw new ForecastInputError(
      `the model cannot serve this config (context ${config.contextLength}, flip ${config.flip})`,
    );
  }
  const medianIndex = modelLevels.indexOf(0.5);
  const calibrate = options.calibration === 'in-context';
  const [lowerIndex, upperIndex] = [modelLevels.indexOf(0.1), modelLevels.indexOf(0.9)];
  if (calibrate && (medianIndex < 0 || lowerIndex < 0 || upperIndex < 0)) {
    throw new ForecastInputError(
      `in-context calibration needs the model levels 0.1, 0.5 and 0.9 (the model has ${modelLevels.join(', ')})`,
    );
  }

  /**
   * Side factors per input from backtests on its own history: origins one (first-round) horizon
   * apart, each with at least `minBacktestHistory` points before it; batched like the forecasts.
   */
  async function inContextScales(inputs: readonly ForecastInput[]): Promise<SideScales[]> {
    const { backtests, minBacktestHistory } = IN_CONTEXT_CALIBRATION;
    const runs: { input: number; origin: number; horizon: number }[] = [];
    inputs.forEach((input, i) => {
      const horizon = Math.min(input.horizon, maxSteps);
      for (let k = 1; k <= backtests; k++) {
        const origin = input.history.length - k * horizon;
        if (origin >= minBacktestHistory) runs.push({ input: i, origin, horizon });
      }
    });
    const ratios = inputs.map(() => new SideRatios());
    const nLevels = modelLevels.length;
    for (let from = 0; from < runs.length; from += batchSize) {
      const chunk = runs.slice(from, from + batchSize);
      const results = await client.forecastBatch(
        chunk.map((r) => ({ values: inputs[r.input].history, end: r.origin, horizon: r.horizon, config })),
      );
      chunk.forEach((r, j) => {
        const q = results[j].quantiles;
        const actual = inputs[r.input].history;
        for (let t = 0; t < r.horizon; t++) {
          const row = t * nLevels;
          ratios[r.input].add(actual[r.origin + t], q[row + medianIndex], q[row + lowerIndex], q[row + upperIndex]);
        }
      });
    }
    return ratios.map((r) => r.scales());
  }

  async function forecastMany(inputs: readonly ForecastInput[]): Promise<QuantileForecast[]> {
    const states: RowState[] = inputs.map((input) => {
      if (!Number.isInteger(input.horizon) || input.horizon < 1) {
        throw new ForecastInputError(`horizon must be an integer ≥ 1, got ${input.horizon}`);
      }
      validateLevels(input.levels ?? DEFAULT_LEVELS);
      return { values: input.history, remaining: input.horizon, collected: [] };
    });
    const scales = calibrate ? await inContextScales(inputs) : null;
    // Horizons beyond the model's are rolled out: forecast the model's horizon, append its median
    // path to the history, repeat. Each round is one batched call over every unfinished row.
    for (;;) {
      const active = states.filter((s) => s.remaining > 0);
      if (active.length === 0) break;
      for (let from = 0; from < active.length; from += batchSize) {
        const chunk = active.slice(from, from + batchSize);
        const results = await client.forecastBatch(
          chunk.map((s) => ({ values: s.values, horizon: Math.min(s.remaining, maxSteps), config })),
        );
        chunk.forEach((s, i) => {
          const r = results[i];
          for (let q = 0; q < r.quantiles.length; q++) s.collected.push(r.quantiles[q]);
          s.remaining -= r.horizon;
          if (s.remaining > 0) {
            const median = medianPath(r.quantiles, r.horizon, modelLevels, medianIndex);
            const grown = new Float32Array(s.values.length + r.horizon);
            grown.set(s.values);
            grown.set(median, s.values.length);
            s.values = grown;
          }
        });
      }
    }
    return states.map((s, i) => {
      const horizon = inputs[i].horizon;
      if (scales)
        scaleAroundMedian(s.collected, modelLevels.length, horizon, medianIndex, scales[i], config.clampNonNegative);
      const levels = inputs[i].levels ?? DEFAULT_LEVELS;
      const quantiles = resampleLevels(s.collected, modelLevels, levels, horizon);
      const point = medianPath(Float32Array.from(s.collected), horizon, modelLevels, medianIndex);
      return { point, levels: [...levels], quantiles };
    });
  }

  return {
    name: options.name ?? 'tsfm',
    forecastMany,
    async forecast(input: ForecastInput): Promise<QuantileForecast> {
      return (await forecastMany([input]))[0];
    },
  };
}

/** Loads a model from its manifest and wraps it; the caller releases `client` when done. */
export async function loadTsfmForecaster(
  manifestPath: string,
  options: TsfmForecasterOptions & { client?: ClientOptions } = {},
): Promise<{ forecaster: Forecaster; client: TsfmClient }> {
  const client = await loadModel(manifestPath, options.client);
  return { forecaster: tsfmForecaster(client, options), client };
}

function medianPath(
  quantiles: ArrayLike<number>,
  horizon: number,
  levels: readonly number[],
  medianIndex: number,
): Float32Array {
  if (medianIndex >= 0) {
    const k = levels.length;
    return Float32Array.from({ length: horizon }, (_, t) => quantiles[t * k + medianIndex]);
  }
  return resampleLevels(quantiles, levels, [0.5], horizon);
}
