/**
 * crane-style: the percentile recommender of gocrane/crane's resource recommendation — P99 of the
 * last 7 days of usage × (1 + 15 % margin), recomputed at every decision and applied at once. The
 * percentile is exact over the window (a sorted sliding window), not histogram-bucketed.
 */
import type { CapacityPolicy, PolicySpec, PolicyTenant } from '../policy.js';
import { SortedWindow } from '../sorted-window.js';

export interface CraneOptions {
  readonly percentile?: number;
  readonly marginFraction?: number;
  /** History the percentile reads, in minutes (crane: 7 days). */
  readonly windowMinutes?: number;
}

export function cranePolicy(options: CraneOptions = {}): PolicySpec {
  const percentile = options.percentile ?? 0.99;
  const margin = options.marginFraction ?? 0.15;
  const windowMinutes = options.windowMinutes ?? 7 * 1440;
  return {
    name: 'crane',
    family: 'crane',
    alpha: null,
    create(tenant: PolicyTenant): CapacityPolicy {
      const windowSteps = Math.max(1, Math.round(windowMinutes / tenant.stepMinutes));
      const window = new SortedWindow(windowSteps);
      let from = 0; // window = history[from, to)
      let to = 0;
      return {
        decide(history, _horizonSteps, context) {
          // Values that would leave the window before the next read are never added (the first
          // decision would otherwise insert weeks of history only to remove most of it).
          if (to < history.length - windowSteps) from = to = history.length - windowSteps;
          for (; to < history.length; to++) window.add(history[to]);
          for (; from < to - windowSteps; from++) window.remove(history[from]);
          return window.size === 0 ? context.current : window.percentile(percentile) * (1 + margin);
        },
      };
    },
  };
}
