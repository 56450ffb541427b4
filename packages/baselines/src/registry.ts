/**
 * Baselines by name, for the CLI and worker threads (a worker rebuilds its model from the name;
 * functions cannot cross a thread boundary).
 */
import { arimaForecaster } from './models/arima.js';
import { mstlEtsForecaster } from './models/mstl-ets.js';
import { naive2Forecaster } from './models/naive2.js';
import { naiveForecaster, seasonalNaiveForecaster } from './models/naive.js';
import { prophetForecaster } from './models/prophet.js';
import type { Forecaster } from './types.js';

export const BASELINE_NAMES = ['naive', 'snaive', 'naive2', 'mstl-ets', 'arima', 'prophet'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/**
 * Every model the evaluate command knows: the baselines, the fixed-config TSFM (raw, and with
 * in-context calibration: `tsfm-icc`), and the TSFM through the per-series harness (selecting at
 * α = 0.5, and at α = 0.9 for the pinball@0.9 column).
 */
export const TSFM_NAMES = ['tsfm', 'tsfm-icc', 'tsfm-harness', 'tsfm-harness-a90'] as const;
export type TsfmName = (typeof TSFM_NAMES)[number];
export const MODEL_NAMES = [...BASELINE_NAMES, ...TSFM_NAMES] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export function isBaselineName(name: string): name is BaselineName {
  return (BASELINE_NAMES as readonly string[]).includes(name);
}

/** A baseline with its default options (what the evaluation tables report). */
export function createBaseline(name: BaselineName): Forecaster {
  switch (name) {
    case 'naive':
      return naiveForecaster();
    case 'snaive':
      return seasonalNaiveForecaster();
    case 'naive2':
      return naive2Forecaster();
    case 'mstl-ets':
      return mstlEtsForecaster();
    case 'arima':
      return arimaForecaster();
    case 'prophet':
      return prophetForecaster();
  }
}
