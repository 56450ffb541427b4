/**
 * Demand report: is the tenant busier than usual, and what should an operator do about it?
 *
 * Per metric, on the 1-minute history and the median forecast:
 *   recentRate    = mean of the last demand.recentMinutes (15) observed minutes
 *   baselineRate  = the same clock window at the same time of week (the recent window shifted back
 *                   by 1…4 weeks, those the history covers), else of day (1…6 days back), else the
 *                   mean of up to demand.baselineMinutes (1440) before the recent window. A tenant's
 *                   demand is seasonal: against the 24-hour mean, a 4× spike at the nightly low read
 *                   as "low" or "elevated"; against the same hour yesterday it reads critical.
 *                   `demand.baseline: 'mean'` keeps the 24-hour mean.
 *   predictedRate = mean of the median forecast over the next demand.predictMinutes (15)
 *   surgeFactor   = max(recentRate, predictedRate) / baselineRate
 * The larger of recent and predicted: a surge already under way that the forecaster lags behind
 * and one forecast but not yet arrived both call for surge mode. A zero baseline gives 1 when
 * nothing is happening either (0/0: no change) and SURGE_FACTOR_CAP when something is (a tenant
 * waking from zero), so the number stays finite in JSON.
 *
 * Level (the thresholds, strict): > 3 critical, > 1.5 elevated, > 1 normal, ≤ 1 low.
 * Resource mode of the headline metric: surge when elevated or critical, else steady.
 */
import { fmt, fmtFactor } from './format.js';
import type { DemandOptions, RecommendOptions } from './options.js';
import type { RecommendInput } from './request.js';

export type DemandLevel = 'low' | 'normal' | 'elevated' | 'critical';
export type ResourceMode = 'steady' | 'surge';
export type DemandActionKind = 'pre-warm' | 'throttle-background' | 'investigate-failures' | 'hold';

/** Lower edges (exclusive) of each level. */
export const DEMAND_LEVEL_THRESHOLDS = Object.freeze({ critical: 3, elevated: 1.5, normal: 1 } as const);
export const SURGE_FACTOR_CAP = 1e6;

export function demandLevel(surgeFactor: number): DemandLevel {
  if (surgeFactor > DEMAND_LEVEL_THRESHOLDS.critical) return 'critical';
  if (surgeFactor > DEMAND_LEVEL_THRESHOLDS.elevated) return 'elevated';
  if (surgeFactor > DEMAND_LEVEL_THRESHOLDS.normal) return 'normal';
  return 'low';
}

export function resourceMode(level: DemandLevel): ResourceMode {
  return level === 'elevated' || level === 'critical' ? 'surge' : 'steady';
}

/** rate / baseline, finite: see the module note for a zero baseline. */
export function surgeFactor(rate: number, baseline: number): number {
  if (baseline > 0) return Math.min(Math.max(0, rate) / baseline, SURGE_FACTOR_CAP);
  return rate > 0 ? SURGE_FACTOR_CAP : 1;
}

/** What the baseline was read from (see the module note). */
export type BaselineKind = 'same-time-of-week' | 'same-time-of-day' | 'preceding-mean';

export const WEEK_MINUTES = 10_080;
export const DAY_MINUTES = 1_440;

export interface MetricDemand {
  /** null when the recent window has no observed minute (a scrape gap: see the actions). */
  readonly recentRate: number | null;
  readonly baselineRate: number;
  readonly baselineKind: BaselineKind;
  /** Minutes the baseline actually covered (the windows' minutes, or ≤ demand.baselineMinutes for the mean). */
  readonly baselineMinutes: number;
  readonly predictedRate: number;
  /** Median-forecast mean over the next H minutes, for each horizon H (keys are minutes). */
  readonly predictedByHorizon: Readonly<Record<string, number>>;
  readonly surgeFactor: number;
  readonly level: DemandLevel;
}

export interface DemandAction {
  readonly kind: DemandActionKind;
  readonly reason: string;
}

export interface DemandReport {
  readonly status: 'ok';
  /** The metric the headline numbers below are read from. */
  readonly demandMetric: string;
  readonly recentRate: number | null;
  readonly baselineRate: number;
  readonly predictedRate: number;
  readonly surgeFactor: number;
  readonly baselineKind: BaselineKind;
  readonly level: DemandLevel;
  readonly resourceMode: ResourceMode;
  /** Never empty: `hold` when nothing else applies. */
  readonly actions: readonly DemandAction[];
  readonly windows: {
    readonly recentMinutes: number;
    readonly baselineMinutes: number;
    readonly predictMinutes: number;
  };
  readonly metrics: Readonly<Record<string, MetricDemand>>;
}

/** What the report needs from the forecast side, computed once by the recommender. */
export interface DemandForecastView {
  /** Median path per metric (sorted, non-negative rows), at least predictMinutes and every horizon long. */
  readonly medians: Readonly<Record<string, Float32Array>>;
  /** The cpu metric's α-target at the decision horizon (uncapped), when there is a cpu forecast. */
  readonly cpuTarget: number | undefined;
}

/** The headline metric: demand.demandMetric, else `requests`, else `cpu`, else the first forecast. */
export function headlineMetric(metrics: readonly string[], demand: DemandOptions): string {
  if (demand.demandMetric !== undefined) return demand.demandMetric;
  if (metrics.includes('requests')) return 'requests';
  if (metrics.includes(demand.cpuMetric)) return demand.cpuMetric;
  return metrics[0];
}

export function buildDemandReport(
  input: RecommendInput,
  view: DemandForecastView,
  options: RecommendOptions,
): DemandReport {
  const d = options.demand;
  const metrics: Record<string, MetricDemand> = {};
  for (const metric of Object.keys(input.forecasts)) {
    metrics[metric] = metricDemand(input.history[metric], view.medians[metric], options);
  }
  const name = headlineMetric(Object.keys(input.forecasts), d);
  const head = metrics[name];
  return {
    status: 'ok',
    demandMetric: name,
    recentRate: head.recentRate,
    baselineRate: head.baselineRate,
    predictedRate: head.predictedRate,
    surgeFactor: head.surgeFactor,
    baselineKind: head.baselineKind,
    level: head.level,
    resourceMode: resourceMode(head.level),
    actions: demandActions(name, head, input, view, options),
    windows: {
      recentMinutes: d.recentMinutes,
      baselineMinutes: head.baselineMinutes,
      predictMinutes: d.predictMinutes,
    },
    metrics,
  };
}

/**
 * The mean of the recent window [recentStart, end) shifted back by k·period for k = 1…maxLags, over
 * the shifts the history covers; null when none covers it or none has an observed minute.
 */
function sameTimeMean(
  history: Float32Array,
  recentStart: number,
  end: number,
  period: number,
  maxLags: number,
): { rate: number; minutes: number } | null {
  let sum = 0;
  let n = 0;
  let minutes = 0;
  for (let k = 1; k <= maxLags && recentStart - k * period >= 0; k++) {
    for (let i = recentStart - k * period; i < end - k * period; i++) {
      const v = history[i];
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    minutes += end - recentStart;
  }
  return n === 0 ? null : { rate: sum / n, minutes };
}

function baselineOf(
  history: Float32Array,
  recentStart: number,
  end: number,
  demand: DemandOptions,
): { rate: number; kind: BaselineKind; minutes: number } {
  if (demand.baseline === 'seasonal' && end > recentStart) {
    const week = sameTimeMean(history, recentStart, end, WEEK_MINUTES, 4);
    if (week !== null) return { ...week, kind: 'same-time-of-week' };
    const day = sameTimeMean(history, recentStart, end, DAY_MINUTES, 6);
    if (day !== null) return { ...day, kind: 'same-time-of-day' };
  }
  const baselineStart = Math.max(0, recentStart - demand.baselineMinutes);
  // Cold start guarantees an observed baseline minute; 0 only guards a caller that skipped it.
  return {
    rate: meanObserved(history, baselineStart, recentStart) ?? 0,
    kind: 'preceding-mean',
    minutes: recentStart - baselineStart,
  };
}

function metricDemand(history: Float32Array, median: Float32Array, options: RecommendOptions): MetricDemand {
  const { recentMinutes, predictMinutes } = options.demand;
  const end = history.length;
  const recentStart = Math.max(0, end - recentMinutes);
  const recentRate = meanObserved(history, recentStart, end);
  const baseline = baselineOf(history, recentStart, end, options.demand);
  const baselineRate = baseline.rate;
  const predictedRate = mean(median, 0, predictMinutes);
  const predictedByHorizon: Record<string, number> = {};
  for (const h of options.horizons) predictedByHorizon[String(h)] = mean(median, 0, h);
  const factor = surgeFactor(Math.max(recentRate ?? 0, predictedRate), baselineRate);
  return {
    recentRate,
    baselineRate,
    baselineKind: baseline.kind,
    baselineMinutes: baseline.minutes,
    predictedRate,
    predictedByHorizon,
    surgeFactor: factor,
    level: demandLevel(factor),
  };
}

/**
 * The recommended actions, each with its rule in the reason:
 *  - investigate-failures: (a) no observation of the headline metric in the recent window;
 *    (b) a collapse — recent ≤ collapseRatio × baseline AND ≤ collapseRatio × the preceding
 *    collapseLookbackMinutes (sudden, so a diurnal night-time dip does not count); (c) an error
 *    signal — the error series' recent mean > errorSurgeRatio × its baseline while the headline
 *    demand is below its baseline (requests fail, clients give up).
 *  - pre-warm: predicted / baseline is elevated or worse (> 1.5) and above the recent rate — the
 *    surge is ahead, so warm caches and replicas before it arrives.
 *  - throttle-background: the level is critical and the tenant is cpu-bound (cpu α-target ≥
 *    cpuBoundUtilisation × current cpu): cron and batch work compete with the surge for cpu.
 *  - hold: none of the above.
 */
function demandActions(
  name: string,
  head: MetricDemand,
  input: RecommendInput,
  view: DemandForecastView,
  options: RecommendOptions,
): DemandAction[] {
  const d = options.demand;
  const actions: DemandAction[] = [];
  const history = input.history[name];
  const recentStart = Math.max(0, history.length - d.recentMinutes);

  if (head.recentRate === null) {
    actions.push({
      kind: 'investigate-failures',
      reason: `no observation of ${name} in the last ${d.recentMinutes} minutes: check the service and its exporter`,
    });
  } else {
    const preceding = meanObserved(history, Math.max(0, recentStart - d.collapseLookbackMinutes), recentStart);
    const r = d.collapseRatio;
    if (
      head.baselineRate > 0 &&
      preceding !== null &&
      preceding > 0 &&
      head.recentRate <= r * head.baselineRate &&
      head.recentRate <= r * preceding
    ) {
      actions.push({
        kind: 'investigate-failures',
        reason:
          `${name} collapsed to ${fmt(head.recentRate)} over the last ${d.recentMinutes} minutes, ` +
          `≤ ${r} × the baseline ${fmt(head.baselineRate)} and ≤ ${r} × the preceding ${d.collapseLookbackMinutes} minutes' ${fmt(preceding)}`,
      });
    }
    const errors = input.history[d.errorMetric];
    if (errors !== undefined && head.recentRate < head.baselineRate) {
      const errEnd = errors.length;
      const errRecentStart = Math.max(0, errEnd - d.recentMinutes);
      const errRecent = meanObserved(errors, errRecentStart, errEnd);
      const errBaseline = meanObserved(errors, Math.max(0, errRecentStart - d.baselineMinutes), errRecentStart);
      if (errRecent !== null && errRecent > 0 && errRecent > d.errorSurgeRatio * (errBaseline ?? 0)) {
        actions.push({
          kind: 'investigate-failures',
          reason:
            `${d.errorMetric} rose to ${fmt(errRecent)} (baseline ${fmt(errBaseline ?? 0)}, > ${d.errorSurgeRatio}×) ` +
            `while ${name} fell to ${fmt(head.recentRate)} below its baseline ${fmt(head.baselineRate)}`,
        });
      }
    }
  }

  const predictedFactor = surgeFactor(head.predictedRate, head.baselineRate);
  if (
    predictedFactor > DEMAND_LEVEL_THRESHOLDS.elevated &&
    (head.recentRate === null || head.predictedRate > head.recentRate)
  ) {
    actions.push({
      kind: 'pre-warm',
      reason:
        `${name} is predicted at ${fmt(head.predictedRate)} over the next ${d.predictMinutes} minutes, ` +
        `${fmtFactor(predictedFactor)} the baseline ${fmt(head.baselineRate)} and above the recent ${head.recentRate === null ? 'n/a' : fmt(head.recentRate)}: ` +
        'pre-warm caches and replicas before it arrives',
    });
  }

  if (head.level === 'critical' && view.cpuTarget !== undefined) {
    const cpuCurrent = input.current[d.cpuMetric];
    if (view.cpuTarget >= d.cpuBoundUtilisation * cpuCurrent) {
      actions.push({
        kind: 'throttle-background',
        reason:
          `demand is critical (${fmtFactor(head.surgeFactor)}) and cpu-bound: ${d.cpuMetric} target ${fmt(view.cpuTarget)} ≥ ` +
          `${d.cpuBoundUtilisation} × current ${fmt(cpuCurrent)}; defer cron and batch work`,
      });
    }
  }

  if (actions.length === 0) {
    actions.push({
      kind: 'hold',
      reason: `${name} demand is ${head.level} (${fmtFactor(head.surgeFactor)} the baseline) with no surge ahead and no failure signal`,
    });
  }
  return actions;
}

/** Mean of the non-NaN values in [start, end); null when there are none. */
function meanObserved(values: Float32Array, start: number, end: number): number | null {
  let sum = 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? null : sum / n;
}

function mean(values: Float32Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += values[i];
  return sum / (end - start);
}
