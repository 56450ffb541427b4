/**
 * @tsfm/tsfm-client — the frozen forecaster behind an ONNX model contract (design.md §4,
 * docs/models.md): manifest validation, one InferenceSession per model, batched forecasts with
 * the config knobs the harness searches.
 */
export { ModelContractError, ForecastRequestError } from './errors.js';
export {
  ForecastConfigSchema,
  DEFAULT_CONFIG,
  DEFAULT_CONTEXT_LENGTHS,
  RESOLUTIONS,
  NORMALISATIONS,
  parseConfig,
  configKey,
  parseConfigKey,
  configGrid,
  type ForecastConfig,
  type ConfigGridOptions,
  type ResolutionMinutes,
  type Normalisation,
} from './config.js';
export {
  ModelManifestSchema,
  parseManifest,
  readManifest,
  NORMALISATION_SHORTHANDS,
  INPUT_SCALINGS,
  OUTPUT_LAYOUTS,
  PAD_VALUES,
  MASK_CONVENTIONS,
  type ModelManifest,
  type ModelContract,
} from './manifest.js';
export { MAX_SUPPORTED_OPSET, readOnnxHeader, type OnnxHeader } from './onnx-header.js';
export { loadModel, TsfmClient, type ForecastRow, type ClientOptions } from './client.js';
export type { SessionLike } from './session-check.js';
export {
  MicroBatcher,
  MICRO_BATCH_DEFAULTS,
  type BatchForecaster,
  type MicroBatchOptions,
  type MicroBatchStats,
} from './micro-batcher.js';
export { QuantileForecast } from './quantile-forecast.js';
export { otherModelVersions, type ModelVersion } from './model-versions.js';
export { flattenTenant, type TenantLike, type TenantForecast } from './tenant.js';
export { aggregateTrailing, repeatCoarse, coarseSteps } from './resolution.js';
export { restrictResolutions, type ConfigSearchForecaster } from './restricted-client.js';
export {
  fitScaling,
  toModelSpace,
  fromModelSpace,
  newScaling,
  type Scaling,
  type ModelScaling,
} from './normalisation.js';
export { levelsAreSymmetric, combineFlipped } from './flip.js';
export { clampNonNegative, isNonCrossing } from './quantile-fixes.js';
