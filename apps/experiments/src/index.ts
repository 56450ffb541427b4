/**
 * @tsfm/experiments — the thesis experiments (M6 headline, M7 latency, M8 cold start, M9 tier
 * calibration, NAB / CSV series) over @tsfm/harness, the best fixed configs and @tsfm/baselines.
 * The CLI is src/cli/experiments.ts; these are the library functions behind it, for scripts that
 * want one experiment without the command line. See README.md.
 */
export {
  splitTenants,
  assertDisjoint,
  assertSide,
  sideOf,
  stableHash,
  hashUnit,
  SplitLeakError,
  type TenantSplit,
  type SplitOptions,
  type SplitSide,
} from './split.js';
export { forecastOrigins, evenSubset, type OriginOptions } from './origins.js';
export { FLEET_PROTOCOL, originsOf, historyCap, type Protocol } from './protocol.js';
export {
  evaluationScale,
  scorePoint,
  SCALE_WINDOW_DAYS,
  type PointLoss,
  type ProvisioningTally,
} from './point-score.js';
export {
  pairedSummary,
  pairedWinRate,
  relativeImprovement,
  wilcoxonSignedRank,
  clusterBootstrap,
  normalSf,
  erfc,
  type PairedSummary,
  type PairedOptions,
  type WilcoxonResult,
  type WilcoxonOptions,
  type Interval,
} from './stats.js';
export { readFleetTenants, readSeriesTenant, fleetInfo, type EvalTenant, type FleetInfo } from './tenant-data.js';
export { GridEvaluator, type GridLosses } from './grid-search.js';
export {
  harnessMethod,
  fixedConfigMethod,
  baselineMethod,
  type Method,
  type MethodOutcome,
  type FixedConfigChoice,
} from './methods.js';
export { evaluateTenant, type TenantTask, type TenantOutcome, type MethodPoints } from './evaluate-tenant.js';
export {
  ExperimentRuntime,
  type RuntimeSpec,
  type MethodSpec,
  type PriorSpec,
  type RuntimeTask,
  type RuntimeResult,
} from './runtime.js';
export { runTasks, type PoolOptions } from './pool.js';
export { runTuning, summariseGrid, type TuningOptions, type TuningResult, type ConfigScore } from './tuning.js';
export { runM6, m6Markdown, DEFAULT_BASELINES, type M6Options, type M6Result, type BaselinePlan } from './m6.js';
export { DEFAULT_HARNESS, type HarnessSettings } from './harness-settings.js';
export { runM7, m7Markdown, m7ChartSpec, DEFAULT_KS, type M7Options, type M7Result } from './m7.js';
export { runM8, m8Markdown, DEFAULT_COLD_MINUTES, type M8Options, type M8Result } from './m8.js';
export { runM9, m9Markdown, type M9Options, type M9Result } from './m9.js';
export {
  runSeries,
  seriesMarkdown,
  DEFAULT_SERIES_BASELINES,
  type SeriesOptions,
  type SeriesResult,
} from './series.js';
export { writeResultsDoc, type ResultsDocOptions } from './results-doc.js';
export { runExperimentsCli } from './cli-main.js';
export { writeRandomModel } from './random-model.js';
export { CLI_COMMAND, rerunCommand } from './provenance.js';
