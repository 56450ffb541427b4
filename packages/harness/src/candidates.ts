/**
 * Everything a search request scores, behind one accessor: the tried model configs (positions
 * 0 … K − 1, the default at 0; their forecasts are rows of the batch, shared by the configs of a
 * family and post-processed per config here) followed by the statistical members that could run
 * (their forecasts computed in JS, statistical-members.ts). Scoring, selection, combination,
 * calibration and the final forecast all read matrices through `matrix`, so a statistical member
 * competes on exactly the same windows, loss and rules as an ONNX config.
 */
import type { ForecastConfig, QuantileForecast } from '@tsfm/tsfm-client';
import type { SampleSource } from './config-sampler.js';
import type { ConfigSpace } from './config-space.js';
import { postProcess, postProcessedPath } from './scoring.js';
import { interpolateQuantileRow } from '@tsfm/losses';
import { fitMember, shiftedSince, statisticalKey, type StatisticalMember } from './statistical-members.js';

export interface CandidateInfo {
  readonly key: string;
  /** The model config; null for a statistical member. */
  readonly config: ForecastConfig | null;
  /** The ONNX model's name; null for a statistical member. */
  readonly model: string | null;
  readonly source: SampleSource | 'statistical';
}

export interface CandidateSet {
  readonly info: readonly CandidateInfo[];
  /** Positions below this are model configs (the default at 0); the rest are statistical members. */
  readonly modelCount: number;
  readonly metricCount: number;
  /** Origins: 0 = the final forecast, 1 … W the validation windows. */
  readonly originCount: number;
  readonly horizon: number;
  readonly levels: readonly number[];
  /**
   * Candidate c's post-processed [h × L] matrix for metric m at origin o — written into `out`, or
   * a stored view (do not write to it) — null when it has none (a row that could not be built).
   */
  matrix(c: number, m: number, o: number, out: Float32Array): Float32Array | null;
  /**
   * interpolateQuantileRow of `matrix(c, m, o)` at `alpha` into `out`, false when it has none —
   * the same values, computed without materialising the matrix. Optional: a set without it is
   * read through `matrix` (scoring.ts' candidatePath).
   */
  path?(c: number, m: number, o: number, alpha: number, out: Float32Array): boolean;
  /**
   * Why candidate c's FINAL forecast of metric m must not be used although it validated well (a
   * statistical member's shift guard), or null. Optional: absent means never.
   */
  finalRefusal?(c: number, m: number): string | null;
}

export interface ModelBatch {
  readonly space: ConfigSpace;
  /** Config indexes of the tried configs, in sample order. */
  readonly used: readonly number[];
  readonly sources: readonly SampleSource[];
  /** slotOf[c·O + o]: the row slot (row-plan.ts) of used[c] at origin o. */
  readonly slotOf: Int32Array;
  readonly rowIndex: Int32Array;
  readonly forecasts: readonly QuantileForecast[];
}

/** Forecasts of the statistical members that run on this request: matrices[s][(m·O + o)·h·L …]. */
export interface MemberForecasts {
  readonly members: readonly StatisticalMember[];
  readonly matrices: readonly Float32Array[];
  /** shifted[s][m]: why member s's FINAL forecast (ends[0]) of metric m is refused, or null (shiftedSince). */
  readonly shifted: readonly (readonly (string | null)[])[];
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
}

export interface MemberForecastInput {
  readonly members: readonly StatisticalMember[];
  readonly series: readonly Float32Array[];
  readonly metricNames: readonly string[];
  /** ends[o]: origin o (ends[0] = n, the final; the last is the earliest validation origin). */
  readonly ends: readonly number[];
  readonly horizon: number;
  readonly stepsPerDay: number;
  readonly levels: readonly number[];
  /** Per metric: floor every quantile at 0 (the metric has never been negative). */
  readonly nonNegative: readonly boolean[];
}

/**
 * Fit every member on each metric's history before the earliest origin and forecast every origin.
 * A member runs on a request only if it runs on every metric (per-tenant selection scores a config
 * on all of them); otherwise it is skipped with the first metric's reason.
 */
export function forecastMembers(input: MemberForecastInput): MemberForecasts {
  const { series, ends, horizon: h, levels, nonNegative } = input;
  const M = series.length;
  const O = ends.length;
  const L = levels.length;
  const block = h * L;
  const fitEnd = ends[O - 1];
  const byEnd = Array.from(ends, (_, o) => o).sort((p, q) => ends[p] - ends[q]);
  const members: StatisticalMember[] = [];
  const matrices: Float32Array[] = [];
  const shifted: (string | null)[][] = [];
  const skipped: { key: string; reason: string }[] = [];
  // The shift guard's forecast of the last steps (shiftedSince) is written here and read at once.
  const scratch = new Float32Array(block);
  for (const member of input.members) {
    const out = new Float32Array(M * O * block);
    const memberShifted: (string | null)[] = [];
    let reason: string | null = null;
    for (let m = 0; m < M && reason === null; m++) {
      const fit = fitMember(member, { values: series[m], fitEnd, horizon: h, stepsPerDay: input.stepsPerDay, levels });
      if (!fit.ok) {
        reason = `${input.metricNames[m]}: ${fit.reason}`;
        break;
      }
      // Origins in increasing order: a fitted member may carry its state from one to the next. The
      // final origin (ends[0], the latest) comes last; the shift guard forecasts from at most h steps
      // before it, after every validation origin, so the order (and theta's carried level) holds.
      for (const o of byEnd) {
        if (o === 0) memberShifted.push(shiftedSince(fit.fitted, series[m], ends[0], fitEnd, h, L, scratch));
        const view = out.subarray((m * O + o) * block, (m * O + o + 1) * block);
        fit.fitted.forecast(ends[o], view);
        if (nonNegative[m]) for (let i = 0; i < block; i++) if (view[i] < 0) view[i] = 0;
      }
    }
    if (reason === null) {
      members.push(member);
      matrices.push(out);
      shifted.push(memberShifted);
    } else {
      skipped.push({ key: statisticalKey(member), reason });
    }
  }
  return { members, matrices, shifted, skipped };
}

export function candidateSet(
  batch: ModelBatch,
  members: MemberForecasts,
  metricCount: number,
  originCount: number,
  horizon: number,
  levels: readonly number[],
): CandidateSet {
  const { space, used, sources, slotOf, rowIndex, forecasts } = batch;
  const M = metricCount;
  const O = originCount;
  const L = levels.length;
  const block = horizon * L;
  const K = used.length;
  const configs = used.map((i) => space.configs[i]);
  const scratch = new Float32Array(L);
  const info: CandidateInfo[] = [
    ...used.map((i, c) => ({
      key: space.keys[i],
      config: configs[c],
      model: space.modelOfConfig(i).name,
      source: sources[c],
    })),
    ...members.members.map((member) => ({
      key: statisticalKey(member),
      config: null,
      model: null,
      source: 'statistical' as const,
    })),
  ];
  return {
    info,
    modelCount: K,
    metricCount: M,
    originCount: O,
    horizon,
    levels,
    matrix(c, m, o, out) {
      if (c >= K) {
        const start = (m * O + o) * block;
        return members.matrices[c - K].subarray(start, start + block);
      }
      const row = rowIndex[slotOf[c * O + o] * M + m];
      if (!(row >= 0)) return null;
      // The row was run without post-processing (shared by the family); apply the config's own.
      return postProcess(forecasts[row].quantiles, configs[c], horizon, L, out);
    },
    finalRefusal(c, m) {
      return c >= K ? members.shifted[c - K][m] : null;
    },
    path(c, m, o, alpha, out) {
      if (c >= K) {
        const start = (m * O + o) * block;
        interpolateQuantileRow(levels, members.matrices[c - K].subarray(start, start + block), L, horizon, alpha, out);
        return true;
      }
      const row = rowIndex[slotOf[c * O + o] * M + m];
      if (!(row >= 0)) return false;
      postProcessedPath(forecasts[row].quantiles, configs[c], horizon, levels, alpha, out, scratch);
      return true;
    },
  };
}
