/**
 * VPA-style: the Kubernetes Vertical Pod Autoscaler's CPU target — P90 of a decaying histogram
 * of usage (half-life 24 h) × (1 + 15 % safety margin) — recomputed at every decision and applied
 * at once. Real VPA applies it through pod evictions only when the request leaves
 * [lowerBound, upperBound]; applying it every decision is the most responsive VPA can be, so
 * this is a favourable reading of VPA, not a straw man.
 *
 * Buckets: VPA uses a first bucket of 0.01 cores (about 1 % of a typical container) growing by
 * 5 %. Our metrics come in several units (cores, percent, bytes), so the first bucket is 1 % of
 * the tenant's mean observed demand before its first decision, and the histogram covers up to
 * 1000 × that mean (VPA: 1000 cores).
 */
import { DecayingHistogram } from '../decaying-histogram.js';
import type { CapacityPolicy, PolicySpec, PolicyTenant } from '../policy.js';

export interface VpaOptions {
  /** Target percentile (VPA: targetCPUPercentile 0.9). */
  readonly percentile?: number;
  /** Safety margin (VPA: recommendation-margin-fraction 0.15). */
  readonly marginFraction?: number;
  /** Half-life of a sample's weight in minutes (VPA: cpu-histogram-decay-half-life 24 h). */
  readonly halfLifeMinutes?: number;
  /** Bucket growth (VPA: 1.05). */
  readonly bucketRatio?: number;
}

export function vpaPolicy(options: VpaOptions = {}): PolicySpec {
  const percentile = options.percentile ?? 0.9;
  const margin = options.marginFraction ?? 0.15;
  const halfLifeMinutes = options.halfLifeMinutes ?? 1440;
  const ratio = options.bucketRatio ?? 1.05;
  return {
    name: 'vpa',
    family: 'vpa',
    alpha: null,
    create(tenant: PolicyTenant): CapacityPolicy {
      let histogram: DecayingHistogram | null = null;
      let ingested = 0;
      return {
        decide(history, _horizonSteps, context) {
          if (histogram === null) {
            const scale = meanObserved(history);
            const first = scale > 0 ? 0.01 * scale : 1e-6;
            histogram = new DecayingHistogram({
              firstBucket: first,
              ratio,
              maxValue: 1000 * Math.max(scale, 1e-4),
              halfLife: halfLifeMinutes,
            });
          }
          // Time in minutes, so the half-life means the same on 1- and 5-minute grids.
          for (; ingested < history.length; ingested++) histogram.add(history[ingested], ingested * tenant.stepMinutes);
          return histogram.empty ? context.current : histogram.percentile(percentile) * (1 + margin);
        },
      };
    },
  };
}

function meanObserved(values: Float32Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}
