/**
 * The final-forecast guard: after selection, the winner's FINAL forecast (the one the caller
 * provisions from) is checked per metric before it is returned. Validation only scores the
 * α-quantile on the last h minutes; it never sees the final horizon, nor the outer quantiles.
 * Two failures have slipped through that gap:
 *  - a non-finite value in the winner's final forecast (1 request in ~443,000), which used to
 *    fail the whole request although 31 other configs had been forecast in the same batch;
 *  - a log1p-normalised config that wins on a spiky series and de-normalises (expm1) its upper
 *    quantiles to ~1e25 on the final horizon (NAB `ec2_disk_write_bytes`, scaled CRPS 1e18).
 *
 * Rule: a metric's final forecast is accepted when every quantile is finite and inside
 *
 *     [min − c·span, max + c·span]      min, max = the metric's observed history extremes
 *                                        span = max − min  (constant history: |level|; all-zero: 1)
 *                                        c = PLAUSIBLE_RANGE_MULTIPLE = 10
 *
 * Why this bound: the forecaster only ever saw this history, so a quantile more than ten
 * observed ranges beyond anything the metric has done is not a forecast but a numerical artefact
 * (expm1 of a log-space tail, a division by a near-zero last value). Ten ranges is generous on
 * purpose: an hour-ahead forecast of a real surge or trend stays within one or two ranges of the
 * extremes, so the guard never second-guesses a plausible forecast — it only stops values a
 * capacity engineer would never provision for (11× the historical peak-to-trough swing above the
 * peak). The bound is symmetric: a forecast ten ranges below the minimum is the same kind of
 * artefact, and it under-provisions. It needs no seasonality, units or distribution assumption,
 * so it holds for CPU fractions and byte counters alike. A constant history has no spread; its
 * |level| stands in (a jump to 11× the level within a horizon is the same artefact), and an
 * all-zero history falls back to 1 unit, as the loss scale does (history-profile.ts).
 *
 * A statistical member is also refused, whatever its values, when the last observations all lie
 * outside its own outermost quantiles forecast a few steps earlier (`refusal`; the shift guard,
 * statistical-members.ts SHIFT_RUN).
 *
 * Fallback order for a refused forecast: the other configs of the batch by the same validation
 * score that chose the winner (their final forecasts are already in the one batched model call,
 * so this costs no model row), the fleet default at its rank — or last, when it has no score.
 * When nothing passes, the default is used anyway if it is finite (the bound may be wrong about a
 * metric; the fleet default is the vetted choice), flagged `accepted: false`; only a non-finite
 * default fails the request (HarnessError 'model-failure').
 */
import { HarnessError } from './errors.js';
import type { FinalFallback, FinalGuardFailure, PlausibleRange } from './result.js';

export type { FinalFallback, FinalGuardFailure, PlausibleRange } from './result.js';

/** c in the bound: observed ranges a final quantile may lie beyond the metric's history extremes. */
export const PLAUSIBLE_RANGE_MULTIPLE = 10;

export interface FinalGuardOptions {
  /**
   * c (default PLAUSIBLE_RANGE_MULTIPLE = 10). `Infinity` turns the plausibility bound off;
   * finiteness is always checked (a NaN forecast is never returned).
   */
  readonly rangeMultiple?: number;
}

/** The plausible range of a metric from its observed (non-NaN) history; see the module comment. */
export function plausibleRange(values: Float32Array, rangeMultiple: number = PLAUSIBLE_RANGE_MULTIPLE): PlausibleRange {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // No observation (NaN < x is false): nothing to bound by. The harness refuses such a metric
  // (insufficient-data) before any forecast; this keeps the function total.
  if (min > max) return { lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY };
  const range = max - min;
  const span = range > 0 ? range : Math.max(Math.abs(min), Math.abs(max)) || 1;
  // rangeMultiple = Infinity gives ±Infinity (span > 0), i.e. no bound.
  return { lo: min - rangeMultiple * span, hi: max + rangeMultiple * span };
}

export type GuardVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: FinalGuardFailure; readonly detail: string };

/**
 * Checks a final [h × L] quantile matrix (null: there is none). The matrix is every value the
 * result carries: the α-quantile path is interpolated between its levels (flat beyond them), so
 * it lies within the matrix's own extremes.
 */
export function checkFinal(matrix: Float32Array | null, range: PlausibleRange): GuardVerdict {
  if (matrix === null) return { ok: false, reason: 'no-final-forecast', detail: 'no final forecast in the batch' };
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < matrix.length; i++) {
    const v = matrix[i];
    if (!Number.isFinite(v)) return { ok: false, reason: 'non-finite', detail: `quantile entry ${i} is ${v}` };
    if (v < lowest) lowest = v;
    if (v > highest) highest = v;
  }
  if (highest > range.hi) {
    return {
      ok: false,
      reason: 'implausible',
      detail: `highest quantile ${fmt(highest)} is above the plausible maximum ${fmt(range.hi)}`,
    };
  }
  if (lowest < range.lo) {
    return {
      ok: false,
      reason: 'implausible',
      detail: `lowest quantile ${fmt(lowest)} is below the plausible minimum ${fmt(range.lo)}`,
    };
  }
  return { ok: true };
}

/**
 * Positions (into the request's sample, the default at `defaultPosition`) to try for one metric:
 * the first choice, then every other config with a score (NaN = none) by ascending score — the
 * same score that chose the winner (the tenant mean in per-tenant mode, the metric's own loss in
 * per-metric mode), so a fallback is the next config the selection itself would have preferred;
 * ties in sample order — then the default if it had no score.
 */
export function fallbackOrder(
  first: number,
  count: number,
  score: (position: number) => number,
  defaultPosition = 0,
): number[] {
  const rest: number[] = [];
  for (let c = 0; c < count; c++) {
    const s = score(c);
    if (c !== first && s === s) rest.push(c);
  }
  rest.sort((a, b) => score(a) - score(b) || a - b);
  const order = [first, ...rest];
  if (!order.includes(defaultPosition)) order.push(defaultPosition);
  return order;
}

export interface FinalCandidate {
  readonly key: string;
  /** Its final post-processed [h × L] matrix; called only when the candidate is reached. */
  readonly matrix: () => Float32Array | null;
  /**
   * Why it is refused whatever its matrix (the shift guard, statistical-members.ts), or null;
   * absent: never.
   */
  readonly refusal?: () => string | null;
}

export interface FinalChoice {
  /** Index into the candidates of the forecast to return. */
  readonly index: number;
  readonly matrix: Float32Array;
  /** null when the first candidate passed. */
  readonly fallback: FinalFallback | null;
}

/**
 * The first candidate (in order) whose final forecast passes the guard. When none does, the
 * candidate at `lastResort` (the fleet default) is used if finite, flagged `accepted: false`;
 * otherwise the request fails with a 'model-failure' HarnessError naming every refusal.
 */
export function chooseFinal(
  metric: string,
  candidates: readonly FinalCandidate[],
  lastResort: number,
  range: PlausibleRange,
): FinalChoice {
  const refused: { key: string; reason: FinalGuardFailure }[] = [];
  const matrices: (Float32Array | null)[] = [];
  let firstDetail = '';
  for (let i = 0; i < candidates.length; i++) {
    const matrix = candidates[i].matrix();
    matrices.push(matrix);
    const refusal = candidates[i].refusal?.() ?? null;
    const verdict: GuardVerdict =
      refusal === null ? checkFinal(matrix, range) : { ok: false, reason: 'shifted', detail: refusal };
    if (verdict.ok) {
      if (matrix === null) throw new Error('chooseFinal: the guard passed a missing forecast');
      if (i === 0) return { index: 0, matrix, fallback: null };
      return { index: i, matrix, fallback: fallbackOf(metric, candidates, i, refused, firstDetail, true) };
    }
    if (i === 0) firstDetail = verdict.detail;
    refused.push({ key: candidates[i].key, reason: verdict.reason });
  }
  const last = matrices[lastResort] ?? null;
  if (last !== null && refused[lastResort].reason === 'implausible') {
    return {
      index: lastResort,
      matrix: last,
      fallback: fallbackOf(metric, candidates, lastResort, refused, firstDetail, false),
    };
  }
  const key = candidates[lastResort]?.key ?? '(none)';
  throw new HarnessError(
    'model-failure',
    `the final forecast for metric '${metric}' failed the final-forecast guard for every candidate, the default ${key} included (${refused[lastResort]?.reason ?? 'missing'}): ${refused.map((r) => `${r.key} ${r.reason}`).join(', ')}`,
    { metric, config: key, refused },
  );
}

function fallbackOf(
  metric: string,
  candidates: readonly FinalCandidate[],
  to: number,
  refused: readonly { key: string; reason: FinalGuardFailure }[],
  detail: string,
  accepted: boolean,
): FinalFallback {
  return {
    metric,
    from: candidates[0].key,
    to: candidates[to].key,
    reason: refused[0].reason,
    detail,
    refused: [...refused],
    accepted,
  };
}

/** A note for result.notes. */
export function fallbackNote(f: FinalFallback): string {
  return f.accepted
    ? `metric '${f.metric}': the final forecast of ${f.from} failed the final-forecast guard (${f.detail}); ${f.to} is used instead`
    : `metric '${f.metric}': no candidate's final forecast passed the final-forecast guard (first refusal, ${f.from}: ${f.detail}); the default ${f.to} is used as the last resort, outside the plausible range`;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}
