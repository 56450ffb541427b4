/**
 * A reactive threshold controller — what a team writes before it has a forecaster (and what an
 * HPA on utilisation amounts to): measure utilisation = recent usage / capacity; above `upper`,
 * or below `lower`, set capacity to usage × (1 + headroom). Scale-ups act at once; scale-downs wait
 * `downCooldownMinutes` since the last change (HPA's stabilisation window), because shedding
 * capacity that the next burst needs back is the classic flapping failure.
 *
 * Usage is the mean over the last decision interval, not the last sample: one noisy minute should
 * not move capacity. After a change utilisation sits at 1/(1 + headroom), inside the band.
 */
import type { CapacityPolicy, PolicySpec, PolicyTenant, ReplaySettings } from '../policy.js';

export interface ReactiveOptions {
  readonly upper?: number;
  readonly lower?: number;
  readonly headroom?: number;
  readonly downCooldownMinutes?: number;
}

export function reactivePolicy(options: ReactiveOptions = {}): PolicySpec {
  const upper = options.upper ?? 0.9;
  const lower = options.lower ?? 0.5;
  const headroom = options.headroom ?? 0.3;
  const cooldownMinutes = options.downCooldownMinutes ?? 15;
  const settled = 1 / (1 + headroom);
  if (!(lower < settled && settled < upper)) {
    // Otherwise every change would immediately trigger the opposite one (or itself again).
    throw new RangeError(
      `reactive: 1/(1 + headroom) = ${settled.toFixed(3)} must lie strictly inside (lower ${lower}, upper ${upper})`,
    );
  }
  return {
    name: 'reactive',
    family: 'reactive',
    alpha: null,
    create(tenant: PolicyTenant, settings: ReplaySettings): CapacityPolicy {
      const cooldownSteps = Math.ceil(cooldownMinutes / tenant.stepMinutes);
      let lastChange = Number.NEGATIVE_INFINITY;
      return {
        decide(history, _horizonSteps, context) {
          const now = history.length;
          const usage = recentMean(history, settings.decisionEverySteps);
          if (Number.isNaN(usage)) return context.current; // nothing observed lately: no basis to act
          const wanted = usage * (1 + headroom);
          const current = context.current;
          if (!(current > 0)) {
            lastChange = now;
            return wanted;
          }
          const utilisation = usage / current;
          if (utilisation > upper || (utilisation < lower && now - lastChange >= cooldownSteps)) {
            lastChange = now;
            return wanted;
          }
          return current;
        },
      };
    },
  };
}

function recentMean(history: Float32Array, steps: number): number {
  let sum = 0;
  let n = 0;
  for (let i = Math.max(0, history.length - steps); i < history.length; i++) {
    const v = history[i];
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}
