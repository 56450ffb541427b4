/**
 * THE EDITABLE FILE. The planner changes this file (by a patch) or its parameters (params.json);
 * nothing else. The frozen evaluator (evaluate.ts) calls `experiment` once per request:
 *
 *   candidates(params, request, rng)  → the configs to try (1..k), ties go to the first
 *   validationOrigins(params, request) → where each candidate is scored on its own history
 *   select(params, losses, request)    → the winner per metric
 *
 * and then forecasts the real horizon with each metric's winner. It never shows this file the
 * values after the forecast origin, and `experiment` must satisfy the `Experiment` type in
 * contract.ts — the runner type-checks this file before every launch. Keep it pure: it may import
 * contract.ts and nothing else (no I/O, no packages; tsconfig.json gives it no Node types).
 */
import {
  CONTEXT_LENGTHS,
  DEFAULT_CONFIG,
  METRICS,
  MIN_CONTEXT_MINUTES,
  NORMALISATIONS,
  RESOLUTIONS,
  configKey,
  parseSubset,
  type Experiment,
  type ForecastConfig,
  type Params,
  type RequestView,
  type Rng,
} from './contract.js';

/** The configs the search may sample from, as the subset knobs allow. */
export function searchSpace(params: Params): ForecastConfig[] {
  const contexts = parseSubset(params.contextLengths, CONTEXT_LENGTHS, 'contextLengths');
  const resolutions = parseSubset(params.resolutions, RESOLUTIONS, 'resolutions');
  const normalisations = parseSubset(params.normalisations, NORMALISATIONS, 'normalisations');
  const flips = params.flip ? [false, true] : [false];
  const out: ForecastConfig[] = [];
  for (const contextLength of contexts) {
    for (const resolutionMinutes of resolutions) {
      for (const normalisation of normalisations) {
        for (const flip of flips) out.push({ contextLength, resolutionMinutes, normalisation, flip });
      }
    }
  }
  return out;
}

/** The fleet default first (so ties keep it), then k − 1 others drawn without replacement. */
function candidates(params: Params, _request: RequestView, rng: Rng): ForecastConfig[] {
  const defaultKey = configKey(DEFAULT_CONFIG);
  const pool = searchSpace(params).filter((config) => configKey(config) !== defaultKey);
  const picked: ForecastConfig[] = [DEFAULT_CONFIG];
  // Partial Fisher–Yates: the first k − 1 slots of a seeded shuffle.
  for (let i = 0; i < pool.length && picked.length < params.k; i++) {
    const j = i + rng.below(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
    picked.push(pool[i]);
  }
  return picked;
}

/** Back-to-back windows of one horizon each, ending at the forecast origin. */
function validationOrigins(params: Params, request: RequestView): number[] {
  const origins: number[] = [];
  for (let w = 1; w <= params.validationWindows; w++) {
    const origin = request.historyLength - w * request.horizon;
    if (origin >= MIN_CONTEXT_MINUTES) origins.push(origin);
  }
  return origins;
}

function select(params: Params, losses: readonly (readonly number[])[], _request: RequestView): number[] {
  if (params.selectionRule === 'per-metric') return METRICS.map((_, m) => argmin(losses.map((row) => row[m])));
  const means = losses.map((row) => {
    const finite = row.filter(Number.isFinite);
    return finite.length === 0 ? Number.POSITIVE_INFINITY : finite.reduce((a, b) => a + b, 0) / finite.length;
  });
  const winner = argmin(means);
  return METRICS.map(() => winner);
}

/** Index of the smallest finite value; ties (and no finite value at all) go to the earliest. */
function argmin(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && !(v >= values[best])) best = i;
  }
  return best;
}

export const experiment: Experiment = { candidates, validationOrigins, select };
