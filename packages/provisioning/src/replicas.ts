/**
 * Horizontal view: replicas = ceil(target / perReplicaCapacity) per metric, and the tenant needs
 * the largest of them — that metric is the BINDING one (the resource that runs out first). The
 * count is then clamped to [minReplicas, maxReplicas]. Metrics without a per-replica capacity do
 * not take part; capacities for metrics the tenant has no forecast for are ignored, so one policy
 * can serve a fleet where `requests` is optional.
 */
import type { RecommendOptions } from './options.js';

export interface ReplicaRecommendation {
  /** Replicas to run (after clamping). */
  readonly desired: number;
  /** Before clamping to [minReplicas, maxReplicas]. */
  readonly uncapped: number;
  readonly clampedTo: 'minReplicas' | 'maxReplicas' | null;
  /** The metric that needs the most replicas; ties go to the higher load per replica, then name order. */
  readonly bindingMetric: string;
  /** ceil(target / capacity) per participating metric. */
  readonly perMetric: Readonly<Record<string, number>>;
}

/** null when no metric with a per-replica capacity has a target. */
export function recommendReplicas(
  targets: Readonly<Record<string, number>>,
  options: Pick<RecommendOptions, 'perReplicaCapacity' | 'minReplicas' | 'maxReplicas'>,
): ReplicaRecommendation | null {
  const perMetric: Record<string, number> = {};
  let binding: string | null = null;
  let bindingCount = -1;
  let bindingLoad = -1;
  for (const metric of Object.keys(targets).sort()) {
    const capacity = options.perReplicaCapacity[metric];
    if (capacity === undefined) continue;
    const load = targets[metric] / capacity;
    const count = Math.ceil(load);
    perMetric[metric] = count;
    if (count > bindingCount || (count === bindingCount && load > bindingLoad)) {
      binding = metric;
      bindingCount = count;
      bindingLoad = load;
    }
  }
  if (binding === null) return null;
  const max = options.maxReplicas ?? Infinity;
  const desired = Math.min(Math.max(bindingCount, options.minReplicas), max);
  const clampedTo = bindingCount < options.minReplicas ? 'minReplicas' : bindingCount > max ? 'maxReplicas' : null;
  return { desired, uncapped: bindingCount, clampedTo, bindingMetric: binding, perMetric };
}
