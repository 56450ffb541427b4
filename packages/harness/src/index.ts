/**
 * @tsfm/harness — per-request autoresearch over frozen forecasters (design.md §5): rolling-origin
 * validation, K sampled configs of every ONNX model (one batched call per model) and fast
 * statistical members, scale-free α-loss, the winner (ties → the fleet default) or the top-m
 * combination, conformal calibration of the α-quantile and of the peak, an optional online offset
 * per tenant, a latency budget enforced (or measured) by a cost model, and a documented cold-start
 * path. See README.md.
 */
export { Harness, BUDGET_MODES, type BudgetMode, type HarnessOptions } from './harness.js';
export { MAX_ROLLOUT_ROUNDS } from './rollout.js';
export {
  FileOnlineStore,
  MemoryOnlineStore,
  ONLINE_RATE,
  TenantOnlineStateSchema,
  type OnlineCalibrationOptions,
  type OnlineCalibrationStore,
  type TenantOnlineState,
} from './online-calibration.js';
export { HarnessError, type HarnessErrorCode } from './errors.js';
export {
  HarnessRequestSchema,
  RequestOptionsSchema,
  SELECTION_MODES,
  SINGLE_SERIES_METRIC,
  parseRequest,
  type HarnessRequest,
  type ParsedRequest,
  type RacingOptions,
  type RequestOptions,
  type SelectionMode,
} from './request.js';
export type {
  HarnessResult,
  StageTimings,
  TriedConfig,
  MetricWinner,
  SkipNote,
  BudgetReport,
  PriorReport,
  CalibrationReport,
  MetricCalibration,
  PeakForecast,
  Combination,
  RacingReport,
} from './result.js';
export { CALIBRATION_METHODS, conformalShift, type CalibrationMethod } from './calibration.js';
export type { HarnessForecaster } from './forecaster.js';
export { staticPrior, type ConfigPriorSource, type TenantHistory } from './config-prior.js';
export { archetypeStorePrior, type ArchetypePriorOptions } from './archetype-prior.js';
export {
  CostModel,
  calibrateCostModel,
  type CostCoefficients,
  type CostModelOptions,
  type CalibrationOptions,
} from './cost-model.js';
export { searchMinimumHistory, type HarnessPath, type ColdStartReason } from './cold-start.js';
export {
  VALIDATION_PLACEMENTS,
  validationOrigins,
  type ValidationOrigins,
  type ValidationOriginsInput,
  type ValidationPlacement,
} from './validation-origins.js';
export { ConfigSpace, type ConfigFamily, type HarnessModel } from './config-space.js';
export { ForecastQuantiles } from './forecast-quantiles.js';
export { COMBINE_METHODS, type CombineMethod } from './combine.js';
export { firstRoundOrigins, parseRacing } from './racing.js';
export { STATISTICAL_MEMBERS, statisticalKey, type StatisticalMember } from './statistical-members.js';
export {
  CONFIG_SAMPLERS,
  sampleConfigs,
  type ConfigSampler,
  type SampleSource,
  type Sample,
  type SampleInput,
} from './config-sampler.js';
export { scalePeriod, SCALE_WINDOW_POINTS, type MetricScale } from './history-profile.js';
export { TIE_RELATIVE_TOLERANCE } from './selection.js';
export {
  PLAUSIBLE_RANGE_MULTIPLE,
  plausibleRange,
  checkFinal,
  type FinalGuardOptions,
  type FinalFallback,
  type FinalGuardFailure,
  type PlausibleRange,
} from './final-guard.js';

// Internals the experiments app (apps/experiments) shares so that "config X" and "the scale" mean
// exactly what they mean inside the harness: its grid search post-processes family forecasts the
// same way, scores at the harness's own scale, and draws origins and bootstraps from its PRNG.
export { servesFinal, type RequestReach } from './config-space.js';
export { lastObservedBefore, metricScale } from './history-profile.js';
export { postProcess } from './scoring.js';
