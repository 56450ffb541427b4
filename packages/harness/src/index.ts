/**
 * @tsfm/harness — per-request autoresearch over a frozen forecaster's configs (design.md §5):
 * rolling-origin validation, K sampled configs in ONE batched model call, scale-free α-loss,
 * winner (ties → the fleet default), a latency budget enforced by a cost model, and a documented
 * cold-start path. See README.md.
 */
export { Harness, type HarnessOptions } from './harness.js';
export { HarnessError, type HarnessErrorCode } from './errors.js';
export {
  HarnessRequestSchema,
  RequestOptionsSchema,
  SELECTION_MODES,
  SINGLE_SERIES_METRIC,
  MINUTE_MS,
  parseRequest,
  type HarnessRequest,
  type ParsedRequest,
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
} from './result.js';
export type { HarnessForecaster } from './forecaster.js';
export { staticPrior, type ConfigPriorSource, type TenantHistory } from './config-prior.js';
export { archetypeStorePrior, type ArchetypePriorOptions } from './archetype-prior.js';
export { CostModel, calibrateCostModel, type CostCoefficients, type CostModelOptions, type CalibrationOptions } from './cost-model.js';
export {
  searchMinimumHistory,
  type HarnessPath,
  type ColdStartReason,
} from './cold-start.js';
export { ConfigSpace, type ConfigFamily } from './config-space.js';
export { sampleConfigs, type SampleSource, type Sample, type SampleInput } from './config-sampler.js';
export { scalePeriod, SCALE_WINDOW_POINTS, type MetricScale } from './history-profile.js';
export { TIE_RELATIVE_TOLERANCE } from './selection.js';

// experiments (M6–M9, NAB / CSV headline): library functions behind src/cli/experiments.ts
export { splitTenants, assertDisjoint, assertSide, sideOf, stableHash, hashUnit, SplitLeakError, type TenantSplit, type SplitOptions, type SplitSide } from './experiments/split.js';
export { forecastOrigins, evenSubset, type OriginOptions } from './experiments/origins.js';
export { FLEET_PROTOCOL, originsOf, historyCap, type Protocol } from './experiments/protocol.js';
export { evaluationScale, scorePoint, SCALE_WINDOW_DAYS, type PointLoss, type ProvisioningTally } from './experiments/point-score.js';
export {
  pairedSummary,
  pairedWinRate,
  relativeImprovement,
  wilcoxonSignedRank,
  clusterBootstrap,
  normalSf,
  erfc,
  sortedQuantile,
  type PairedSummary,
  type PairedOptions,
  type WilcoxonResult,
  type WilcoxonOptions,
  type Interval,
} from './experiments/stats.js';
export { readFleetTenants, readSeriesTenant, fleetInfo, type EvalTenant, type FleetInfo } from './experiments/tenant-data.js';
export { GridEvaluator, type GridLosses } from './experiments/grid-search.js';
export { harnessMethod, fixedConfigMethod, baselineMethod, type Method, type MethodOutcome, type FixedConfigChoice } from './experiments/methods.js';
export { evaluateTenant, type TenantTask, type TenantOutcome, type MethodPoints } from './experiments/evaluate-tenant.js';
export { ExperimentRuntime, type RuntimeSpec, type MethodSpec, type PriorSpec, type RuntimeTask, type RuntimeResult } from './experiments/runtime.js';
export { runTasks, type PoolOptions } from './experiments/pool.js';
export { runTuning, summariseGrid, type TuningOptions, type TuningResult, type ConfigScore } from './experiments/tuning.js';
export { runM6, m6Markdown, DEFAULT_BASELINES, DEFAULT_HARNESS, type M6Options, type M6Result, type BaselinePlan, type HarnessSettings } from './experiments/m6.js';
export { runM7, m7Markdown, m7ChartSpec, DEFAULT_KS, type M7Options, type M7Result } from './experiments/m7.js';
export { runM8, m8Markdown, DEFAULT_COLD_MINUTES, type M8Options, type M8Result } from './experiments/m8.js';
export { runM9, m9Markdown, type M9Options, type M9Result } from './experiments/m9.js';
export { runSeries, seriesMarkdown, DEFAULT_SERIES_BASELINES, type SeriesOptions, type SeriesResult } from './experiments/series.js';
export { writeResultsDoc, type ResultsDocOptions } from './experiments/results-doc.js';
export { runExperimentsCli } from './experiments/cli-main.js';
// end experiments
