/**
 * The provisioning replay simulator: a trace, a list of capacity policies, a score. See
 * replay.ts for the loop, policy.ts for the contract, report.ts for the aggregation.
 */
export type {
  CapacityDecision,
  CapacityPolicy,
  DecisionContext,
  PolicySpec,
  PolicyTenant,
  ReplaySettings,
} from './policy.js';
export {
  replayTenant,
  replayPolicies,
  replayFleet,
  peakOfPreviousDay,
  ReplayError,
  type ReplayTenant,
  type ReplayOptions,
  type TenantReplay,
} from './replay.js';
export {
  ScoreAccumulator,
  addScores,
  slackOf,
  violationRateOf,
  meanShortfallOf,
  costOf,
  EMPTY_SCORE,
  type ReplayScore,
  type Costs,
} from './score.js';
export {
  summarise,
  summaryTable,
  frontierSpec,
  matchedViolationTable,
  sweepAtViolationRate,
  AUTOPILOT_REFERENCE,
  type PolicySummary,
  type SweepAtRate,
} from './report.js';
export { DecayingHistogram, type DecayingHistogramOptions } from './decaying-histogram.js';
export { SortedWindow } from './sorted-window.js';
export { vpaPolicy, type VpaOptions } from './policies/vpa.js';
export { cranePolicy, type CraneOptions } from './policies/crane.js';
export { reactivePolicy, type ReactiveOptions } from './policies/reactive.js';
export {
  forecastPolicy,
  ForecastMemo,
  type QuantileSource,
  type QuantileRequest,
  type ForecastPolicyMode,
  type ForecastPolicyOptions,
} from './policies/forecast-policy.js';
