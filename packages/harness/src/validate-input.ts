/**
 * The validate-input stage: the request boundary (request.ts), one profiling pass per metric,
 * each metric's plausible range for the final-forecast guard, what the history allows
 * (RequestReach), and whether the request can search — or why it takes the cold-start path.
 */
import { searchMinimumHistory, type ColdStartReason } from './cold-start.js';
import type { ConfigSpace, RequestReach } from './config-space.js';
import { HarnessError } from './errors.js';
import { plausibleRange } from './final-guard.js';
import { profileMetric, type MetricProfile } from './history-profile.js';
import { parseRequest, type ParsedRequest } from './request.js';
import type { PlausibleRange } from './result.js';
import { MAX_ROLLOUT_ROUNDS } from './rollout.js';
import { validationData, type ValidationData } from './validation-data.js';
import { validationOrigins, type ValidationOrigins } from './validation-origins.js';

/** Whether the data lets the request search: then its validation windows are known. */
export type SearchReadiness =
  | { readonly coldStartReason: null; readonly validation: ValidationData }
  /** validation: null when the history is too short to have any windows. */
  | { readonly coldStartReason: ColdStartReason; readonly validation: ValidationData | null };

export type ValidatedRequest = SearchReadiness & {
  readonly req: ParsedRequest;
  readonly profiles: readonly MetricProfile[];
  /** The final-forecast guard's bound per metric, from the whole observed history (final-guard.ts). */
  readonly ranges: readonly PlausibleRange[];
  readonly reach: RequestReach;
  /** Where the validation windows sit (also on the cold-start path, where none is scored). */
  readonly origins: ValidationOrigins;
};

export function validateInput(input: unknown, space: ConfigSpace, rangeMultiple: number): ValidatedRequest {
  const req = parseRequest(input);
  const { n, horizon: h } = req;
  const profiles = req.series.map(profileMetric);
  const ranges = req.series.map((v) => plausibleRange(v, rangeMultiple));
  profiles.forEach((p, m) => {
    if (p.observed === 0) {
      throw new HarnessError(
        'insufficient-data',
        `metric '${req.metricNames[m]}' has no observed value in its ${n} points; leave it out with request.metrics`,
        { metric: req.metricNames[m] },
      );
    }
  });
  // Steps of the request's grid: minutes on the fleet, but an adapter may pass another grid's
  // step as "the minute" (@tsfm/baselines' tsfm-harness), so the message says steps.
  const reachable = space.maxHorizonMinutes;
  if (h > reachable * MAX_ROLLOUT_ROUNDS) {
    throw new HarnessError(
      'bad-request',
      `horizon ${h} steps is beyond this model: one call reaches ${reachable} steps at the coarsest resolution, and a forecast is rolled out at most ${MAX_ROLLOUT_ROUNDS} times (${reachable * MAX_ROLLOUT_ROUNDS} steps)`,
      { field: 'horizon' },
    );
  }
  const { minContextPoints, validationWindows, validationPlacement, sameTimeDays, stepsPerDay } = req.options;
  const origins = validationOrigins({
    n,
    horizon: h,
    minContextPoints,
    validationWindows,
    placement: validationPlacement,
    sameTimeDays,
    stepsPerDay,
  });
  const reach: RequestReach = {
    n,
    horizon: h,
    earliestOrigin: origins.ends[origins.ends.length - 1],
    minLastObserved: Math.min(...profiles.map((p) => p.lastObserved)),
    anyNegative: profiles.some((p) => p.hasNegative),
    rollout: h > reachable,
  };
  const common = { req, profiles, ranges, reach, origins };
  if (n === 1) return { ...common, coldStartReason: 'single-point-history', validation: null };
  if (n < searchMinimumHistory(h, minContextPoints))
    return { ...common, coldStartReason: 'history-shorter-than-search-minimum', validation: null };
  const validation = validationData(req, origins.ends);
  if (!validation.anyScorable)
    return { ...common, coldStartReason: 'no-observed-value-in-any-validation-window', validation };
  return { ...common, coldStartReason: null, validation };
}
