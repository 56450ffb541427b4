/**
 * The reactive rule the controller falls back to when the model cannot answer (history too short
 * for a recommendation, or the forecast failed): the seeds' autoscalers do the same (a decision
 * tree on current load when the TTM model has no forecast).
 *
 * Per resource, provision what is used now at the reactive autoscaler's scale-up utilisation:
 *   recent  = mean of the last demand.recentMinutes observed minutes
 *   target  = recent / reactive.scaleUpUtilisation    (lower = recent, upper = recent peak / that utilisation)
 * then the recommender's own pieces: the dead band at full confidence for the action, and
 * recommendReplicas for the replica count. Nothing is forecast, so nothing is anticipated: this
 * only keeps the tenant provisioned for the load it has.
 */
import {
  adjustThresholds,
  decideAction,
  recommendReplicas,
  type Action,
  type RecommendOptions,
  type ReplicaRecommendation,
} from '@tsfm/provisioning';

export interface ResourceBounds {
  readonly target: number;
  readonly lower: number;
  readonly upper: number;
}

export interface ReactiveRecommendation {
  readonly action: Action;
  readonly reason: string;
  readonly resources: Readonly<Record<string, ResourceBounds>>;
  readonly replicas: ReplicaRecommendation | null;
}

/** null when some resource has no observed minute in the recent window (nothing to react to). */
export function reactiveRecommendation(
  history: ReadonlyMap<string, Float32Array>,
  current: Readonly<Record<string, number>>,
  alpha: number,
  options: RecommendOptions,
): ReactiveRecommendation | null {
  const utilisation = options.reactive.scaleUpUtilisation;
  const resources: Record<string, ResourceBounds> = {};
  const targets: Record<string, number> = {};
  const actions: Array<[string, Action, string]> = [];
  for (const [name, values] of history) {
    const window = values.subarray(Math.max(0, values.length - options.demand.recentMinutes));
    let sum = 0;
    let n = 0;
    let peak = Number.NEGATIVE_INFINITY;
    for (const v of window) {
      if (Number.isNaN(v)) continue;
      sum += v;
      n++;
      if (v > peak) peak = v;
    }
    if (n === 0) return null;
    const recent = Math.max(0, sum / n);
    const target = recent / utilisation;
    resources[name] = { target, lower: recent, upper: Math.max(0, peak) / utilisation };
    targets[name] = target;
    const now = Object.hasOwn(current, name) ? current[name] : 0;
    const band = adjustThresholds({ up: options.upThreshold, down: options.downThreshold }, alpha, 1);
    const decided = decideAction(target, now, band, 1, 0);
    actions.push([name, decided.action, `${name}: ${decided.reason}`]);
  }
  const ups = actions.filter(([, a]) => a === 'scale_up');
  const downs = actions.filter(([, a]) => a === 'scale_down');
  const action: Action = ups.length > 0 ? 'scale_up' : downs.length === actions.length ? 'scale_down' : 'hold';
  const reasons = (ups.length > 0 ? ups : downs.length === actions.length ? downs : actions).map(([, , r]) => r);
  return {
    action,
    reason: `reactive: recent use at ${utilisation} utilisation; ${reasons.join('; ')}`,
    resources,
    replicas: recommendReplicas(targets, options),
  };
}
