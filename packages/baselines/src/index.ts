/**
 * @tsfm/baselines — one Forecaster surface for every model (design.md §7): naive, seasonal naive,
 * Naive2, MSTL-ETS and Prophet (augurs), AutoARIMA (`arima`), and the fixed-config TSFM; all
 * return quantile forecasts. Plus the evaluation protocol behind `src/cli/evaluate.ts`.
 */
export {
  DEFAULT_LEVELS,
  ForecastInputError,
  ModelUnavailableError,
  forecastAll,
  type ForecastInput,
  type Forecaster,
  type QuantileForecast,
} from './types.js';

// models
export { naiveForecaster, seasonalNaiveForecaster, type SeasonalNaiveOptions } from './models/naive.js';
export { naive2Forecaster, naive2Seasonality, type Naive2Options } from './models/naive2.js';
export { mstlEtsForecaster, type MstlEtsOptions } from './models/mstl-ets.js';
export { arimaForecaster, type ArimaOptions } from './models/arima.js';
export { prophetForecaster, type ProphetForecasterOptions } from './models/prophet.js';
export { tsfmForecaster, loadTsfmForecaster, type TsfmForecasterOptions } from './models/tsfm.js';
export {
  tsfmHarnessForecaster,
  loadTsfmHarnessForecaster,
  meaningfulResolutions,
  type TsfmHarnessOptions,
} from './models/tsfm-harness.js';
export { typescriptProphetOptimizer } from './prophet-optimizer.js';
export {
  BASELINE_NAMES,
  MODEL_NAMES,
  TSFM_NAMES,
  createBaseline,
  isBaselineName,
  type BaselineName,
  type ModelName,
  type TsfmName,
} from './registry.js';
export { nonNegative, clampForecast, looksNonNegative } from './non-negative.js';

// building blocks
export { acf, detectPeriod, m4SeasonalityTest, DEFAULT_PERIOD_CANDIDATES } from './period.js';
export { seasonalFigure, type DecompositionType } from './decomposition.js';
export { fillMissing, prepareInput, type PreparedInput } from './input.js';
export { gaussianForecast, empiricalForecast, resampleLevels } from './quantiles.js';
export {
  directErrors,
  withResidualQuantiles,
  MIN_SAMPLES,
  MAX_ORIGINS,
  type PathAtOrigin,
} from './residual-quantiles.js';

// evaluation
export {
  loadM4Hourly,
  loadTimestampValueFiles,
  rollingOriginTasks,
  dailyPeriod,
  csvFilesIn,
  type EvalDataset,
  type EvalTask,
  type RollingOptions,
} from './evaluate/dataset.js';
export {
  scoreTask,
  summarise,
  formatTable,
  geometricMeanMaseRatio,
  seriesOf,
  type TaskScore,
  type ModelSummary,
} from './evaluate/score.js';
export { runModel, runModelHere, taskInput, type ModelRun } from './evaluate/run.js';
