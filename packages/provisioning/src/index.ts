/**
 * @tsfm/provisioning — forecast → provisioning recommendation and demand report (design.md §9).
 *
 * Two entry points: `recommend(request)` / `demandReport(request)` validate an untrusted request
 * (zod; the service reuses `RecommendRequestSchema`), and `createRecommender(options)` parses the
 * policy once for callers that recommend often (a replay simulator every 5 minutes). Bad input
 * throws ProvisioningError naming the field; short history returns a `cold-start` result.
 */
export { ProvisioningError, type ProvisioningIssue } from './errors.js';
export {
  RecommendOptionsSchema,
  DemandOptionsSchema,
  ReactiveOptionsSchema,
  KubernetesOptionsSchema,
  parseRecommendOptions,
  type RecommendOptions,
  type RecommendOptionsInput,
  type DemandOptions,
  type KubernetesOptions,
} from './options.js';
export {
  RecommendRequestSchema,
  MetricForecastSchema,
  parseRecommendRequest,
  checkInput,
  type RecommendRequest,
  type RecommendInput,
  type MetricForecast,
  type ParsedRecommendRequest,
} from './request.js';
export {
  createRecommender,
  recommend,
  demandReport,
  type Recommender,
  type Recommendation,
  type RecommendResult,
  type DemandResult,
  type MetricRecommendation,
  type HorizonRecommendation,
  type VpaRecommendation,
} from './recommender.js';
export type { BoundLevels } from './bounds.js';
export { confidenceFromWidth } from './confidence.js';
export {
  adjustThresholds,
  adjustedReactiveThresholds,
  ADJUSTED_THRESHOLD_BOUNDS,
  decideAction,
  REFERENCE_ALPHA,
  MAX_DOWN_THRESHOLD,
  type Action,
  type Thresholds,
  type ReactiveThresholds,
  type ReactiveOptions,
} from './thresholds.js';
export {
  kubernetesView,
  cpuQuantity,
  memoryQuantity,
  type KubernetesRecommendation,
  type ContainerRecommendation,
  type ResourceList,
} from './kubernetes.js';
export { recommendReplicas, type ReplicaRecommendation } from './replicas.js';
export { type ColdStart } from './cold-start.js';
export {
  demandLevel,
  resourceMode,
  surgeFactor,
  DEMAND_LEVEL_THRESHOLDS,
  SURGE_FACTOR_CAP,
  type DemandLevel,
  type ResourceMode,
  type DemandAction,
  type DemandActionKind,
  type DemandReport,
  type MetricDemand,
} from './demand.js';
export { renderDemandMarkdown, renderRecommendationMarkdown, escapeMarkdown } from './markdown.js';

// replay simulator (policies, replay loop, scores, frontier chart)
export * from './simulator/index.js';
