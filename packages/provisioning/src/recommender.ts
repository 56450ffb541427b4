/**
 * Forecast → recommendation. A Recommender parses its options once and is then a pure function of
 * (forecasts, current allocation, history): the current allocation is the only state, which keeps
 * a replay simulator honest (it applies the result and passes the new allocation next time).
 *
 * Per metric and horizon: VPA-style bounds (bounds.ts), confidence (confidence.ts), a dead band
 * adjusted by tier and confidence and the action it implies (thresholds.ts). Per metric, the
 * action at the decision horizon, with two multi-horizon rules:
 *  1. a scale_down is held when a LONGER horizon calls for scale_up (do not shed capacity that is
 *     needed back within the longest horizon: that is flapping);
 *  2. a low-confidence hold is overridden by a confident scale_up at a SHORTER horizon (an
 *     imminent shortfall the model is sure about is not vetoed by an uncertain longer view); that
 *     horizon's numbers then drive the metric.
 * Tenant: scale_up if any metric scales up (a shortfall in one resource is a shortfall), scale_down
 * only if every metric scales down, else hold. Replicas come from the uncapped targets (minAllowed /
 * maxAllowed cap one replica's request, not the demand the replicas must serve).
 *
 * Cost per call: O(metrics × (steps × nLevels·log nLevels + recent + baseline minutes)),
 * independent of how long the history arrays are.
 */
import { boundLevels, horizonPeaks, quantilePaths, type BoundLevels, type HorizonPeak } from './bounds.js';
import { coldStart, type ColdStart } from './cold-start.js';
import { buildDemandReport, type DemandReport } from './demand.js';
import { parseRecommendOptions, stepsNeeded, type RecommendOptions, type RecommendOptionsInput } from './options.js';
import { recommendReplicas, type ReplicaRecommendation } from './replicas.js';
import { checkInput, parseRecommendRequest, type RecommendInput } from './request.js';
import { kubernetesView, type KubernetesRecommendation } from './kubernetes.js';
import { adjustThresholds, decideAction, type Action, type ReactiveThresholds, type Thresholds } from './thresholds.js';

export interface HorizonRecommendation {
  readonly horizonMinutes: number;
  /** Peak α-quantile over the horizon, capped to [minAllowed, maxAllowed]. */
  readonly target: number;
  /** Peak of the lower-level quantile (min(lowerLevel, α)), capped. */
  readonly lowerBound: number;
  /** Peak of the upper-level quantile (max(upperLevel, α)), capped. */
  readonly upperBound: number;
  /** The target before minAllowed / maxAllowed. */
  readonly uncappedTarget: number;
  /** Minute (1-based, from now) at which the target peaks. */
  readonly peakMinute: number;
  readonly confidence: number;
  readonly thresholds: Thresholds;
  readonly action: Action;
  readonly reason: string;
  /** adjust_thresholds: what the reactive autoscaler's utilisation thresholds should become; else null. */
  readonly reactiveThresholds: ReactiveThresholds | null;
}

export interface MetricRecommendation {
  readonly current: number;
  /** The quantile levels target / lowerBound / upperBound were read at. */
  readonly levels: BoundLevels;
  readonly action: Action;
  readonly reason: string;
  /** The horizon whose numbers drive this metric (the decision horizon unless rule 2 applied). */
  readonly decision: HorizonRecommendation;
  /** Every horizon, ascending. */
  readonly horizons: readonly HorizonRecommendation[];
}

/** VPA's containerRecommendation fields, per resource (numbers in the metric's units). */
export interface VpaRecommendation {
  readonly target: Readonly<Record<string, number>>;
  readonly lowerBound: Readonly<Record<string, number>>;
  readonly upperBound: Readonly<Record<string, number>>;
  readonly uncappedTarget: Readonly<Record<string, number>>;
}

export interface Recommendation {
  readonly status: 'ok';
  readonly alpha: number;
  readonly decisionHorizonMinutes: number;
  readonly action: Action;
  readonly reason: string;
  /** The lowest decision confidence across metrics. */
  readonly confidence: number;
  readonly vpa: VpaRecommendation;
  /** null when no forecast metric has a per-replica capacity. */
  readonly replicas: ReplicaRecommendation | null;
  /**
   * adjust_thresholds: the reactive autoscaler's new utilisation thresholds, from the metric whose
   * target moved most; null for every other action.
   */
  readonly reactiveThresholds: ReactiveThresholds | null;
  /** The VPA recommendation in Kubernetes resources and quantities (options.kubernetes); null without it. */
  readonly kubernetes: KubernetesRecommendation | null;
  readonly metrics: Readonly<Record<string, MetricRecommendation>>;
  readonly demand: DemandReport;
}

export type RecommendResult = Recommendation | ColdStart;
export type DemandResult = DemandReport | ColdStart;

export interface Recommender {
  readonly options: RecommendOptions;
  /** Throws ProvisioningError for inputs that break checkInput; short history is a ColdStart result. */
  recommend(input: RecommendInput): RecommendResult;
  demandReport(input: RecommendInput): DemandResult;
}

export function createRecommender(options: RecommendOptionsInput = {}): Recommender {
  return recommenderFor(parseRecommendOptions(options));
}

/** Validate an untrusted request (zod + checkInput) and recommend; throws ProvisioningError. */
export function recommend(request: unknown): RecommendResult {
  const { input, options } = parseRecommendRequest(request);
  return recommenderFor(options).recommend(input);
}

/** Validate an untrusted request and build the demand report alone. */
export function demandReport(request: unknown): DemandResult {
  const { input, options } = parseRecommendRequest(request);
  return recommenderFor(options).demandReport(input);
}

function recommenderFor(options: RecommendOptions): Recommender {
  const steps = stepsNeeded(options);
  // One buffer for the sorted copy of a forecast, reused across metrics and calls.
  let scratch = new Float32Array(0);

  function prepare(
    input: RecommendInput,
  ): { metrics: string[]; peaks: Record<string, HorizonPeak[]>; medians: Record<string, Float32Array> } | ColdStart {
    checkInput(input, options);
    const metrics = Object.keys(input.forecasts);
    const cold = coldStart(metrics, input.history, options);
    if (cold) return cold;
    const peaks: Record<string, HorizonPeak[]> = {};
    const medians: Record<string, Float32Array> = {};
    for (const metric of metrics) {
      const forecast = input.forecasts[metric];
      const size = steps * forecast.levels.length;
      if (scratch.length < size) scratch = new Float32Array(size);
      const paths = quantilePaths(forecast, input.alpha, steps, options, scratch);
      peaks[metric] = horizonPeaks(paths, options.horizons);
      medians[metric] = paths.median;
    }
    return { metrics, peaks, medians };
  }

  function cpuTargetOf(peaks: Record<string, HorizonPeak[]>): number | undefined {
    const cpu = peaks[options.demand.cpuMetric];
    return cpu === undefined ? undefined : cpu[options.horizons.indexOf(options.decisionHorizon)].target;
  }

  return {
    options,
    recommend(input) {
      const prepared = prepare(input);
      if ('status' in prepared) return prepared;
      const { metrics, peaks, medians } = prepared;
      const perMetric: Record<string, MetricRecommendation> = {};
      for (const metric of metrics) {
        perMetric[metric] = recommendMetric(metric, peaks[metric], input.current[metric], input.alpha, options);
      }
      const demand = buildDemandReport(input, { medians, cpuTarget: cpuTargetOf(peaks) }, options);
      return tenantRecommendation(perMetric, input.alpha, options, demand);
    },
    demandReport(input) {
      const prepared = prepare(input);
      if ('status' in prepared) return prepared;
      return buildDemandReport(input, { medians: prepared.medians, cpuTarget: cpuTargetOf(prepared.peaks) }, options);
    },
  };
}

function recommendMetric(
  metric: string,
  peaks: readonly HorizonPeak[],
  current: number,
  alpha: number,
  options: RecommendOptions,
): MetricRecommendation {
  const min = options.minAllowed[metric] ?? 0;
  const max = options.maxAllowed[metric] ?? Infinity;
  const cap = (x: number) => Math.min(Math.max(x, min), max);
  const base = { up: options.upThreshold, down: options.downThreshold };
  const horizons: HorizonRecommendation[] = [];
  const lowConfidence: boolean[] = [];
  for (const p of peaks) {
    const target = cap(p.target);
    const thresholds = adjustThresholds(base, alpha, p.confidence);
    const decided = decideAction(target, current, thresholds, p.confidence, options.confidenceFloor, options.reactive);
    lowConfidence.push(decided.lowConfidence);
    horizons.push({
      horizonMinutes: p.horizonMinutes,
      target,
      lowerBound: cap(p.lowerBound),
      upperBound: cap(p.upperBound),
      uncappedTarget: p.target,
      peakMinute: p.peakMinute,
      confidence: p.confidence,
      thresholds,
      action: decided.action,
      reason: decided.reason,
      reactiveThresholds: decided.reactiveThresholds,
    });
  }
  const d = options.horizons.indexOf(options.decisionHorizon);
  const atDecision = horizons[d];
  const levels = boundLevels(alpha, options);
  const result = (decision: HorizonRecommendation, action: Action, reason: string): MetricRecommendation => ({
    current,
    levels,
    action,
    reason: `${metric}: ${reason}`,
    decision,
    horizons,
  });

  if (atDecision.action === 'scale_down') {
    const longer = horizons.slice(d + 1).find((h) => h.action === 'scale_up');
    if (longer) {
      return result(
        atDecision,
        'hold',
        `holding instead of scaling down: the ${longer.horizonMinutes}-minute horizon needs scale_up (${longer.reason})`,
      );
    }
  }
  if (atDecision.action === 'hold' && lowConfidence[d]) {
    const shorter = horizons
      .slice(0, d)
      .reverse()
      .find((h) => h.action === 'scale_up');
    if (shorter) {
      return result(
        shorter,
        'scale_up',
        `the ${options.decisionHorizon}-minute forecast is uncertain but the ${shorter.horizonMinutes}-minute one is confident: ${shorter.reason}`,
      );
    }
  }
  return result(atDecision, atDecision.action, `${atDecision.reason} (${atDecision.horizonMinutes}-minute horizon)`);
}

function tenantRecommendation(
  metrics: Record<string, MetricRecommendation>,
  alpha: number,
  options: RecommendOptions,
  demand: DemandReport,
): Recommendation {
  const entries = Object.entries(metrics);
  const vpa = {
    target: {} as Record<string, number>,
    lowerBound: {} as Record<string, number>,
    upperBound: {} as Record<string, number>,
    uncappedTarget: {} as Record<string, number>,
  };
  let confidence = 1;
  for (const [metric, m] of entries) {
    vpa.target[metric] = m.decision.target;
    vpa.lowerBound[metric] = m.decision.lowerBound;
    vpa.upperBound[metric] = m.decision.upperBound;
    vpa.uncappedTarget[metric] = m.decision.uncappedTarget;
    confidence = Math.min(confidence, m.decision.confidence);
  }
  const ups = entries.filter(([, m]) => m.action === 'scale_up');
  const downs = entries.filter(([, m]) => m.action === 'scale_down');
  const adjusts = entries.filter(([, m]) => m.action === 'adjust_thresholds');
  let action: Action;
  let reason: string;
  let reactiveThresholds: ReactiveThresholds | null = null;
  if (ups.length > 0) {
    action = 'scale_up';
    reason = ups.map(([, m]) => m.reason).join('; ');
  } else if (downs.length === entries.length) {
    action = 'scale_down';
    reason = downs.map(([, m]) => m.reason).join('; ');
  } else if (adjusts.length > 0) {
    // The metric whose target moved most relative to its allocation sets the thresholds.
    const moved = ([, m]: (typeof adjusts)[number]) => Math.abs(m.decision.target / m.current - 1);
    const lead = adjusts.reduce((a, b) => (moved(b) > moved(a) ? b : a));
    action = 'adjust_thresholds';
    reason = adjusts.map(([, m]) => m.reason).join('; ');
    reactiveThresholds = lead[1].decision.reactiveThresholds;
  } else {
    action = 'hold';
    const holding = entries.filter(([, m]) => m.action === 'hold').map(([, m]) => m.reason);
    reason = downs.length > 0 ? `scale_down needs every metric; ${holding.join('; ')}` : holding.join('; ');
  }
  return {
    status: 'ok',
    alpha,
    decisionHorizonMinutes: options.decisionHorizon,
    action,
    reason,
    confidence,
    vpa,
    replicas: recommendReplicas(vpa.uncappedTarget, options),
    reactiveThresholds,
    kubernetes: options.kubernetes === undefined ? null : kubernetesView(vpa, options.kubernetes),
    metrics,
    demand,
  };
}
