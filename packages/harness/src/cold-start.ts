/**
 * The cold-start path: what the harness does when it cannot validate, and exactly when that is.
 *
 * Search needs, for history length n (minutes), horizon h and W validation windows:
 *
 *     n ≥ W·h + minContextPoints        (defaults: W = 1, minContextPoints = 60 → n ≥ h + 60)
 *
 * i.e. every validation origin has at least `minContextPoints` minutes of history behind it.
 * Otherwise — or when every validation window of every metric is entirely NaN, or when the
 * default config itself cannot be validated on this history — no config can be scored, and:
 *
 *  1. `cold-start-prior`: the archetype prior's highest-weight config that can serve the final
 *     forecast for every metric (ties: the lower configKey), when a prior source is configured
 *     and returns a prior with such a config;
 *  2. `cold-start-default`: else the fleet default (at the finest resolution that reaches the
 *     horizon and the data; see effectiveDefault);
 *  3. `cold-start-flat`: a history of exactly ONE point carries no information about dynamics
 *     or spread; the forecast is that point, flat, at every quantile (no model call).
 *
 * A metric with no observed value at all is not a cold start but an error (insufficient-data):
 * there is nothing to forecast from, and inventing a level would be a silent failure.
 */
import { type ConfigSpace, type RequestReach, searchable, servesFinal } from './config-space.js';

export type HarnessPath = 'search' | 'cold-start-prior' | 'cold-start-default' | 'cold-start-flat';

/** Why a request did not take the search path. */
export type ColdStartReason =
  | 'single-point-history'
  | 'history-shorter-than-search-minimum'
  | 'no-observed-value-in-any-validation-window'
  | 'default-config-cannot-be-validated';

/** Minimum history length (minutes) for the search path. */
export function searchMinimumHistory(horizon: number, validationWindows: number, minContextPoints: number): number {
  return validationWindows * horizon + minContextPoints;
}

/**
 * The fleet default for this request: the default config at the finest resolution (from the
 * default's own upward) whose family can serve it — reaching the horizon (the model forecasts a
 * fixed number of steps, so long horizons need coarser steps) and an observation inside its
 * context window. With `forSearch`, it must also be validatable. −1 when none can.
 */
export function effectiveDefault(space: ConfigSpace, reach: RequestReach, forSearch: boolean): number {
  for (const i of space.defaultByResolution) {
    const f = space.families[space.familyOf[i]!]!;
    if (forSearch ? searchable(f, reach) : servesFinal(f, reach)) return i;
  }
  return -1;
}

export interface PriorPick {
  /** Config index, or −1 when no prior key is servable. */
  readonly index: number;
  /** Prior keys that are not configs of this space (unknown, or unsupported by the model). */
  readonly unknownKeys: number;
}

/** The highest-weight prior config that can serve the final forecast. */
export function topPriorConfig(space: ConfigSpace, prior: ReadonlyMap<string, number>, reach: RequestReach): PriorPick {
  let best = -1;
  let bestWeight = 0;
  let bestKey = '';
  let unknownKeys = 0;
  for (const [key, weight] of prior) {
    const i = space.indexOf(key);
    if (i === undefined) {
      unknownKeys++;
      continue;
    }
    if (!(weight > 0) || !servesFinal(space.families[space.familyOf[i]!]!, reach)) continue;
    if (weight > bestWeight || (weight === bestWeight && key < bestKey)) {
      best = i;
      bestWeight = weight;
      bestKey = key;
    }
  }
  return { index: best, unknownKeys };
}

/** [h × nLevels] matrix with every entry = value: the single-point forecast. */
export function flatQuantiles(value: number, horizon: number, nLevels: number): Float32Array {
  return new Float32Array(horizon * nLevels).fill(value);
}
