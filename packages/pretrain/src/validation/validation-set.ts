/**
 * `v2-val`, the validation set every v2 recipe choice was made on (model card § Validation).
 *
 * Three parts:
 *  - synthetic: windows from the held-out pool (series indices ≥ HELD_OUT_POOL_BASE of the corpus
 *    seed, never in a training pool), scored by the trainer as held-out pinball loss;
 *  - m4-history: windows cut from the TRAIN part of each M4-Hourly series — the last 48 train
 *    points, and the 48 points one week earlier — as targets;
 *  - nab-history: for each NAB CloudWatch file, origins every 3 hours whose 12-step targets all end
 *    BEFORE the earliest window `evaluate --dataset nab` scores (its 10 daily origins over the last
 *    10 days); histories of at least two days. NAB traces are 14 days long, so this is what is left.
 *
 * The rule (tested in @tsfm/baselines): no point `evaluate` scores is ever a validation target,
 * and none of M4/NAB is in the training pool (the pool is synthetic by construction).
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadM4TrainTest, loadTimestampValueCsv } from '@tsfm/workload-gen';

export const VALIDATION_SET_NAME = 'v2-val';

/** ../shared/data beside the repository (M4 and NAB; CI has it there). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../../../shared/data', import.meta.url));

/**
 * Adds to below[k], for every finite actual y[t], 1 if y[t] < quantiles[t·Q + k], ½ on a tie (an
 * actual of 0 on a quantile clamped at 0: a floor is not a miss), 0 otherwise; returns how many
 * finite actuals it counted. below[k] / count is the calibration of level k.
 */
export function countBelow(
  actual: ArrayLike<number>,
  quantiles: ArrayLike<number>,
  Q: number,
  below: Float64Array,
): number {
  let counted = 0;
  for (let t = 0; t < actual.length; t++) {
    const y = actual[t];
    if (!Number.isFinite(y)) continue;
    counted++;
    for (let k = 0; k < Q; k++) below[k] += y < quantiles[t * Q + k] ? 1 : y === quantiles[t * Q + k] ? 0.5 : 0;
  }
  return counted;
}

export interface ValidationWindow {
  readonly part: 'm4-history' | 'nab-history';
  /** `<series>@<origin>`: origin = index of the first target point in the series' values. */
  readonly id: string;
  readonly series: string;
  readonly origin: number;
  readonly history: Float32Array;
  readonly actual: Float32Array;
  /** Seasonal period (MASE lag): 24 for M4-Hourly, one day of steps for NAB. */
  readonly period: number;
}

export const M4_VALIDATION = { horizon: 48, period: 24, originsBack: [0, 168] } as const;
/** What `evaluate --dataset nab` scores by default: 10 origins one day apart at the end, h = 12. */
export const NAB_SCORED = { horizon: 12, origins: 10 } as const;
export const NAB_VALIDATION = { horizon: 12, strideFractionOfDay: 1 / 8 } as const;

/** M4-Hourly train-part windows: targets end at the train part's end (or a week before). */
export async function m4HistoryWindows(dataDir: string): Promise<ValidationWindow[]> {
  const pairs = await loadM4TrainTest(join(dataDir, 'm4', 'Hourly-train.csv'), join(dataDir, 'm4', 'Hourly-test.csv'));
  const out: ValidationWindow[] = [];
  for (const p of pairs) {
    const values = p.train.values;
    for (const back of M4_VALIDATION.originsBack) {
      const origin = values.length - M4_VALIDATION.horizon - back;
      if (origin < 2 * M4_VALIDATION.period) continue;
      out.push({
        part: 'm4-history',
        id: `${p.id}@${origin}`,
        series: p.id,
        origin,
        history: values.subarray(0, origin),
        actual: values.subarray(origin, origin + M4_VALIDATION.horizon),
        period: M4_VALIDATION.period,
      });
    }
  }
  return out;
}

/** First point of the earliest window evaluate scores on a NAB series of n points with daily period m. */
export function firstNabScoredPoint(n: number, period: number): number {
  return n - NAB_SCORED.horizon - (NAB_SCORED.origins - 1) * period;
}

/** NAB windows 3 hours apart, all ending before the earliest scored window. */
export async function nabHistoryWindows(dataDir: string): Promise<ValidationWindow[]> {
  const dir = join(dataDir, 'nab');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.csv')).sort();
  const out: ValidationWindow[] = [];
  for (const file of files) {
    const series = await loadTimestampValueCsv(join(dir, file));
    const period = Math.round(86_400_000 / series.stepMs);
    const firstScored = firstNabScoredPoint(series.values.length, period);
    const stride = Math.round(period * NAB_VALIDATION.strideFractionOfDay);
    const last = firstScored - NAB_VALIDATION.horizon;
    for (let origin = last - Math.floor((last - 2 * period) / stride) * stride; origin <= last; origin += stride) {
      const actual = series.values.subarray(origin, origin + NAB_VALIDATION.horizon);
      if (actual.every((v) => Number.isNaN(v))) continue;
      out.push({
        part: 'nab-history',
        id: `${basename(file, '.csv')}@${origin}`,
        series: basename(file, '.csv'),
        origin,
        history: series.values.subarray(0, origin),
        actual,
        period,
      });
    }
  }
  return out;
}
