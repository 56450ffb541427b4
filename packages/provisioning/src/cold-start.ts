/**
 * Cold start: no recommendation until every forecast metric has enough OBSERVED history. Minutes
 * are counted as non-NaN points in the window the demand report reads (recent + baseline), so a
 * history of gaps is as cold as a short one, and the count costs at most that window per call
 * whatever the length of the array a simulator passes.
 */
import type { RecommendOptions } from './options.js';

export interface ColdStart {
  readonly status: 'cold-start';
  /** Which metrics are short and by how much, in one sentence. */
  readonly reason: string;
  /** Observed minutes still missing for the shortest metric (at least; new gaps add to it). */
  readonly minutesNeeded: number;
  /** Only the metrics that are short. */
  readonly metrics: Readonly<Record<string, { readonly observedMinutes: number; readonly minutesNeeded: number }>>;
}

/** Non-NaN points among the last `window` of `history`, counting stops once `enough` are seen. */
export function observedMinutes(history: Float32Array, window: number, enough: number): number {
  let seen = 0;
  const stop = Math.max(0, history.length - window);
  for (let i = history.length - 1; i >= stop && seen < enough; i--) {
    if (!Number.isNaN(history[i])) seen++;
  }
  return seen;
}

/** A ColdStart when some metric is short, else null. */
export function coldStart(
  metrics: readonly string[],
  history: Readonly<Record<string, Float32Array>>,
  options: RecommendOptions,
): ColdStart | null {
  const min = options.minHistoryMinutes;
  const window = options.demand.recentMinutes + options.demand.baselineMinutes;
  const short: Record<string, { observedMinutes: number; minutesNeeded: number }> = {};
  let worst = 0;
  for (const metric of metrics) {
    const seen = observedMinutes(history[metric], window, min);
    if (seen < min) {
      short[metric] = { observedMinutes: seen, minutesNeeded: min - seen };
      worst = Math.max(worst, min - seen);
    }
  }
  if (worst === 0) return null;
  const list = Object.entries(short)
    .map(([m, s]) => `${m} has ${s.observedMinutes} observed minutes of history`)
    .join(', ');
  return {
    status: 'cold-start',
    reason: `${list}; ${min} are needed before recommending (${worst} more minutes)`,
    minutesNeeded: worst,
    metrics: short,
  };
}
