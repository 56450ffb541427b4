/**
 * The archetype prior for one request, looked up once in the sample stage. A prior source that
 * throws must not take forecasting down: the request continues without a prior and the result
 * says why (`prior.error`).
 */
import type { ConfigPriorSource, TenantHistory } from './config-prior.js';
import type { ConfigSpace } from './config-space.js';
import type { PriorReport } from './result.js';

export interface PriorLookup {
  /** Config key → weight, or null without a prior. */
  readonly map: ReadonlyMap<string, number> | null;
  readonly report: PriorReport;
}

export function lookUpPrior(source: ConfigPriorSource | null, space: ConfigSpace, tenant: TenantHistory): PriorLookup {
  if (source === null) {
    return {
      map: null,
      report: { configured: false, available: false, archetype: null, keys: 0, unknownKeys: 0, error: null },
    };
  }
  try {
    const map = source.prior(tenant);
    const archetype = source.archetype?.(tenant) ?? null;
    let unknownKeys = 0;
    if (map !== null) for (const key of map.keys()) if (space.indexOf(key) === undefined) unknownKeys++;
    return {
      map,
      report: { configured: true, available: map !== null, archetype, keys: map?.size ?? 0, unknownKeys, error: null },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      map: null,
      report: { configured: true, available: false, archetype: null, keys: 0, unknownKeys: 0, error: message },
    };
  }
}

/** Prior weight per config index of the space (0 = none; unknown keys and bad weights ignored). */
export function priorWeightsFor(space: ConfigSpace, prior: ReadonlyMap<string, number>): Float64Array {
  const weights = new Float64Array(space.configs.length);
  for (const [key, w] of prior) {
    const i = space.indexOf(key);
    if (i !== undefined && w > 0 && Number.isFinite(w)) weights[i] = w;
  }
  return weights;
}
