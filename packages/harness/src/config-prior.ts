/**
 * The harness's only dependency on @tsfm/archetypes, written as a small interface so the harness
 * runs with or without an archetype store (design.md §6: "retrieval gives an archetype vote and
 * a config prior: how often each config won for the nearest tenants in past harness runs").
 *
 * A prior maps configKey → non-negative weight (need not sum to 1). It steers sampling (configs
 * are drawn proportionally to it) and picks the cold-start config (its top feasible key).
 * Keys that are not valid configs, or not servable for a request, are ignored and counted.
 */
import type { Tenant } from '@tsfm/workload-gen';

/** The tenant history as the harness sees it: metric name → 1-minute values on one grid. */
export type TenantHistory = Pick<Tenant, 'id' | 'start' | 'stepMs' | 'metrics'>;

export interface ConfigPriorSource {
  /** Config prior for this tenant, or null when the source knows nothing useful (cold store). */
  prior(history: TenantHistory): ReadonlyMap<string, number> | null;
  /** Optional archetype vote, reported in the result for traceability. */
  archetype?(history: TenantHistory): string | null;
}

/** A fixed prior (tests, or a fleet-wide prior computed offline). */
export function staticPrior(
  weights: ReadonlyMap<string, number> | Record<string, number>,
  archetype: string | null = null,
): ConfigPriorSource {
  const map = weights instanceof Map ? new Map(weights) : new Map(Object.entries(weights));
  return { prior: () => map, archetype: () => archetype };
}
