/**
 * The search path's per-request data, computed once in validate-input: the rolling origins,
 * which validation windows of which metric hold an observation (and their actual values), the
 * last observation before each origin (for the row plan), and each metric's loss scale.
 *
 * Window o (o = 1…W) holds out values[n − o·h, n − (o − 1)·h); origin 0 is the final forecast's.
 * Windows without an observed value are not scored, and each one is reported (SkipNote).
 */
import { lastObservedBefore, metricScale, observedIn, type MetricScale } from './history-profile.js';
import type { ParsedRequest } from './request.js';
import type { SkipNote } from './result.js';

export interface ValidationData {
  /** ends[0] = n; ends[o] = n − o·h. */
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

/** The data of W validation windows (W ≤ what the history holds: validate-input.ts). */
export function validationData(req: ParsedRequest, W: number): ValidationData {
  const { n, horizon: h, series, metricNames } = req;
  const O = W + 1;
  const M = series.length;
  const ends = Array.from({ length: O }, (_, o) => n - o * h);
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
    const scale = metricScale(values, n - W * h);
    scales[m] = scale.value;
    scaleReport[metricNames[m]] = scale;
  }
  return { ends, lastObs, scorable, actual, scales, scaleReport, anyScorable, skipped };
}
