/**
 * The search path's per-request data, computed once in validate-input: the rolling origins,
 * which validation windows of which metric hold an observation (and their actual values), the
 * last observation before each origin (for the row plan), and each metric's loss scale.
 *
 * Window o (o = 1…W) holds out values[ends[o], ends[o] + h); origin 0 is the final forecast's. Where
 * the origins sit (tail or same time of day) is validation-origins.ts's business. Windows without
 * an observed value are not scored, and each one is reported (SkipNote).
 */
import { lastObservedBefore, metricScale, observedIn, type MetricScale } from './history-profile.js';
import type { ParsedRequest } from './request.js';
import type { SkipNote } from './result.js';

export interface ValidationData {
  /** ends[0] = n; ends[o]: validation origin o, latest first (validation-origins.ts). */
  readonly ends: number[];
  /** lastObs[m·O + o]: last observed index of metric m before ends[o]. */
  readonly lastObs: Int32Array;
  /** scorable[m·O + o] (o ≥ 1): the window has an observed value. */
  readonly scorable: Uint8Array;
  /** actual[m·O + o]: the window's values (a view), null when not scorable. */
  readonly actual: (Float32Array | null)[];
  readonly scales: Float64Array;
  readonly scaleReport: Record<string, MetricScale>;
  readonly anyScorable: boolean;
  readonly skipped: SkipNote[];
}

/** The data of the validation windows at `ends` (ends[0] = n; validation-origins.ts). */
export function validationData(req: ParsedRequest, ends: readonly number[]): ValidationData {
  const { horizon: h, series, metricNames } = req;
  const O = ends.length;
  const M = series.length;
  const earliest = ends[O - 1];
  const lastObs = new Int32Array(M * O);
  const scorable = new Uint8Array(M * O);
  const actual: (Float32Array | null)[] = new Array(M * O).fill(null);
  const scales = new Float64Array(M);
  const scaleReport: Record<string, MetricScale> = {};
  const skipped: SkipNote[] = [];
  let anyScorable = false;
  for (let m = 0; m < M; m++) {
    const values = series[m];
    for (let o = 0; o < O; o++) {
      lastObs[m * O + o] = lastObservedBefore(values, ends[o]);
      if (o === 0) continue;
      const from = ends[o];
      if (observedIn(values, from, from + h) > 0) {
        scorable[m * O + o] = 1;
        actual[m * O + o] = values.subarray(from, from + h);
        anyScorable = true;
      } else {
        skipped.push({
          metric: metricNames[m],
          window: o,
          reason: `validation window ${o} (points ${from}–${from + h - 1}) has no observed value; not scored`,
        });
      }
    }
    const scale = metricScale(values, earliest);
    scales[m] = scale.value;
    scaleReport[metricNames[m]] = scale;
  }
  return { ends: [...ends], lastObs, scorable, actual, scales, scaleReport, anyScorable, skipped };
}
