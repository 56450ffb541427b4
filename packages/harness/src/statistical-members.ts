/**
 * Fast statistical members of the config space (the model dimension's cheap end): each forecasts
 * a full [h × L] quantile matrix at the model's levels from the metric's own history, with no
 * model call, so the harness can score it on the same validation windows with the same α-loss as
 * every ONNX config and pick it when it is the right tool for the series.
 *
 *   naive          last observed value; spread: quantiles of the lag-h differences, × √(t/h) at lead t
 *   snaive-daily   the value one day earlier; spread: quantiles of the lag-p differences
 *   snaive-weekly  the value one week earlier; same, lag 7p
 *   theta-daily    the Theta method (Assimakopoulos & Nikolopoulos 2000, as SES with drift b/2,
 *                  Hyndman & Billah 2003) on the daily-seasonally adjusted series: seasonal index =
 *                  phase means of the last ≤ 3 days minus their centred one-day moving average
 *                  (circularly smoothed over ±p/96 steps), level
 *                  by SES with α from a 6-point grid (one-step squared error), drift = half the OLS
 *                  slope; spread: quantiles of the one-step errors × √(1 + t·α²)
 *
 * p = `stepsPerDay` steps (1440 on the fleet's 1-minute grid; an adapter that passes another grid
 * says its own). Every parameter — residual quantiles, seasonal index, SES α, drift — is fitted
 * ONCE per metric on the history before the earliest validation origin, then used at every origin
 * (the validation windows and the final forecast alike), so validation measures exactly what the
 * final forecast does and never sees its own window. The SES level itself is carried forward
 * through the later history to each origin. A member that lacks the history it needs (a week plus
 * a little for the weekly one) is skipped for the request, with the reason.
 */
import { sampleQuantiles } from '@tsfm/numerics';

export const STATISTICAL_MEMBERS = ['naive', 'snaive-daily', 'snaive-weekly', 'theta-daily'] as const;
export type StatisticalMember = (typeof STATISTICAL_MEMBERS)[number];

/** The key a member has in results (and in an archetype prior). */
export const statisticalKey = (member: StatisticalMember): string => `stat-${member}`;

/** Residuals a spread estimate needs at least; fewer and the member is skipped. */
const MIN_RESIDUALS = 30;
/** Residuals a spread estimate uses at most: the most recent day at 1-minute steps. */
const MAX_RESIDUALS = 1440;
/** Seasons the theta member's seasonal index averages over, at most. */
const THETA_SEASONS = 3;
const SES_ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8];

/** One member fitted to one metric: forecasts the matrix for any origin at or after the fit's end. */
export interface FittedMember {
  /** Writes the [h × L] quantile matrix for the origin `end` (history values[0, end)) into `out`. */
  forecast(end: number, out: Float32Array): void;
}

/**
 * The shift guard's run length: the last SHIFT_RUN observed steps before the final origin.
 *
 * Why a guard: a member fitted on the history can miss a level shift that happened inside the last
 * validation window — seasonal naive forecasts the value one period ago, theta's SES level moves by
 * α per step — and selection cannot see such a shift, since every config's validation forecast
 * there was made before it. NAB's rds_cpu_utilization_cc0c53 moved from ~6 % to ~14.5 % seven steps
 * (35 min) before one origin; seasonal naive had won the validation windows before the shift,
 * forecast ~6 % and scored an α-loss 20× the fleet default's, which carried the whole NAB headline.
 * A member's own forecast of those last steps costs nothing (no model call): when every one of the
 * last SHIFT_RUN observations lies outside the member's own outermost quantiles (its 98 % interval
 * at the model's levels), forecast from SHIFT_RUN steps earlier, and on the same side, the series has
 * left what the member describes, and its final forecast is refused (final-guard.ts falls back
 * along the selection's ranking). A calibrated member is outside its 1 %/99 % band on one side with
 * probability 0.01 per step; the run of 6 was fixed from that, not tuned.
 */
export const SHIFT_RUN = 6;

/**
 * The shift guard (see SHIFT_RUN) for one fitted member at the final origin `end`: a reason when
 * the observations values[end − r, end) (r = min(SHIFT_RUN, horizon)) are all observed and all above
 * (or all below) the outermost quantiles of the member's forecast from end − r; else null.
 * `scratch` holds an [horizon × L] matrix.
 */
export function shiftedSince(
  fitted: FittedMember,
  values: Float32Array,
  end: number,
  fitEnd: number,
  horizon: number,
  L: number,
  scratch: Float32Array,
): string | null {
  const r = Math.min(SHIFT_RUN, horizon);
  const from = end - r;
  if (from < fitEnd || r < 1) return null;
  fitted.forecast(from, scratch);
  let above = 0;
  let below = 0;
  for (let t = 0; t < r; t++) {
    const y = values[from + t];
    // A gap in the run gives no verdict: NaN counts on neither side.
    if (y > scratch[t * L + L - 1]) above++;
    else if (y < scratch[t * L]) below++;
  }
  if (above < r && below < r) return null;
  const side = above === r ? 'above' : 'below';
  return `the last ${r} observations all lie ${side} its own outermost quantiles forecast ${r} steps before the origin: the series has shifted`;
}

export type MemberFit =
  | { readonly ok: true; readonly fitted: FittedMember }
  | { readonly ok: false; readonly reason: string };

export interface MemberFitInput {
  readonly values: Float32Array;
  /** Fit on values[0, fitEnd): the earliest origin any forecast of this request is made at. */
  readonly fitEnd: number;
  readonly horizon: number;
  readonly stepsPerDay: number;
  readonly levels: readonly number[];
}

export function fitMember(member: StatisticalMember, input: MemberFitInput): MemberFit {
  switch (member) {
    case 'naive':
      return fitNaive(input);
    case 'snaive-daily':
      return fitSeasonalNaive(input, input.stepsPerDay, 'a day');
    case 'snaive-weekly':
      return fitSeasonalNaive(input, 7 * input.stepsPerDay, 'a week');
    case 'theta-daily':
      return fitTheta(input);
  }
}

function tooShort(needed: number, has: number, what: string): MemberFit {
  return {
    ok: false,
    reason: `needs ${needed} steps of history before the earliest validation origin (${what}), has ${has}`,
  };
}

/** Quantiles of residuals[0, n) at `levels` (reorders them in place; type 7, as if sorted). */
function residualQuantiles(residuals: Float64Array, n: number, levels: readonly number[]): Float64Array {
  return sampleQuantiles(residuals, n, levels);
}

/** values[i] − values[i − lag] over the last ≤ MAX_RESIDUALS valid pairs before `end`. */
function laggedDifferences(values: Float32Array, end: number, lag: number): { residuals: Float64Array; n: number } {
  const residuals = new Float64Array(MAX_RESIDUALS);
  let n = 0;
  for (let i = end - 1; i >= lag && n < MAX_RESIDUALS; i--) {
    const d = values[i] - values[i - lag];
    if (d === d) residuals[n++] = d;
  }
  return { residuals, n };
}

/**
 * A lag-`lag` member (naive, seasonal naive): its spread is the quantiles `q` at `levels` of its lag
 * differences before fitEnd, and `forecaster(q)` makes its forecast from them; the failed fit says
 * why when there are too few differences.
 */
function fitLagMember(
  input: MemberFitInput,
  lag: number,
  what: string,
  forecaster: (q: Float64Array) => FittedMember['forecast'],
): MemberFit {
  const { values, fitEnd, levels } = input;
  if (fitEnd < lag + MIN_RESIDUALS) return tooShort(lag + MIN_RESIDUALS, fitEnd, what);
  const { residuals, n } = laggedDifferences(values, fitEnd, lag);
  if (n < MIN_RESIDUALS)
    return { ok: false, reason: `only ${n} observed lag-${lag} differences (needs ${MIN_RESIDUALS})` };
  return { ok: true, fitted: { forecast: forecaster(residualQuantiles(residuals, n, levels)) } };
}

/** Last observed value in values[0, end); NaN when none. */
function lastObserved(values: Float32Array, end: number): number {
  for (let i = end - 1; i >= 0; i--) if (values[i] === values[i]) return values[i];
  return Number.NaN;
}

function fitNaive(input: MemberFitInput): MemberFit {
  const { values, horizon: h, levels } = input;
  const L = levels.length;
  return fitLagMember(input, h, `lag-${h} differences for the spread`, (q) => (end, out) => {
    const last = lastObserved(values, end);
    for (let t = 0; t < h; t++) {
      const spread = Math.sqrt((t + 1) / h);
      for (let k = 0; k < L; k++) out[t * L + k] = last + q[k] * spread;
    }
  });
}

function fitSeasonalNaive(input: MemberFitInput, period: number, what: string): MemberFit {
  const { values, horizon: h, levels } = input;
  const L = levels.length;
  return fitLagMember(input, period, what, (q) => (end, out) => {
    let fallback = Number.NaN;
    for (let t = 0; t < h; t++) {
      // The same phase in the last season before the origin (seasons back = ⌈(t + 1) / p⌉).
      let v = values[end + t - period * Math.ceil((t + 1) / period)];
      if (v !== v) {
        if (fallback !== fallback) fallback = lastObserved(values, end);
        v = fallback;
      }
      for (let k = 0; k < L; k++) out[t * L + k] = v + q[k];
    }
  });
}

function fitTheta(input: MemberFitInput): MemberFit {
  const { values, fitEnd, horizon: h, levels, stepsPerDay: p } = input;
  if (fitEnd < 2 * p) return tooShort(2 * p, fitEnd, 'two days for the seasonal index');
  const from = fitEnd - Math.min(THETA_SEASONS, Math.floor(fitEnd / p)) * p;
  // Classical decomposition: the index from the series minus its centred one-day moving average
  // (phase means of a trending series would carry a within-day ramp into the index; a fitted line
  // would be tilted by the cycle itself).
  const season = seasonalIndex(values, from, fitEnd, p);
  // The seasonally adjusted series from the fit window to the end of the history, once: every
  // pass below (drift, six SES fits, the level at each origin) reads it; z[j] is step from + j.
  const z = new Float64Array(values.length - from);
  for (let j = 0; j < z.length; j++) z[j] = values[from + j] - season[(from + j) % p];
  const fitted = fitEnd - from;
  // Drift: the OLS slope of the adjusted series over the fit window.
  const slope = olsLine(z, fitted)?.slope ?? 0;

  // SES α by one-step squared error over the window; the best α's errors give the spread.
  const sses = sesGridSse(z, fitted, SES_ALPHAS);
  let bestAlpha = SES_ALPHAS[0];
  let bestSse = Number.POSITIVE_INFINITY;
  for (let i = 0; i < SES_ALPHAS.length; i++) {
    if (sses[i] < bestSse) {
      bestSse = sses[i];
      bestAlpha = SES_ALPHAS[i];
    }
  }
  const errors = new Float64Array(fitted);
  const { count: n } = sesPass(z, fitted, bestAlpha, errors);
  if (n < MIN_RESIDUALS) return { ok: false, reason: `only ${n} one-step errors in its fit window` };
  const recent = errors.subarray(Math.max(0, n - MAX_RESIDUALS), n);
  const q = residualQuantiles(Float64Array.from(recent), recent.length, levels);
  const L = levels.length;
  const alpha = bestAlpha;
  // ŷ(t) = ℓ + (b/2)(t + 1/α) for lead t + 1 (Hyndman & Billah's SES-with-drift form of Theta,
  // (1 − α)^n ≈ 0 dropped), plus the seasonal index of that step's phase.
  // The SES level is carried forward, not recomputed, from one origin to a later one: the same
  // updates in the same order, so the same level (forecastMembers asks in increasing order).
  let carriedSteps = 0;
  let carriedLevel = Number.NaN;
  return {
    ok: true,
    fitted: {
      forecast(end, out) {
        const steps = end - from;
        if (steps < carriedSteps) {
          carriedSteps = 0;
          carriedLevel = Number.NaN;
        }
        carriedLevel = sesLevel(z, carriedSteps, steps, alpha, carriedLevel);
        carriedSteps = steps;
        const level = carriedLevel;
        for (let t = 0; t < h; t++) {
          const point = level + (slope / 2) * (t + 1 / alpha) + season[(end + t) % p];
          const spread = Math.sqrt(1 + t * alpha * alpha);
          for (let k = 0; k < L; k++) out[t * L + k] = point + q[k] * spread;
        }
      },
    },
  };
}

/** OLS slope of z[j] on j over [0, n) (NaN skipped); null with fewer than MIN_RESIDUALS points. */
function olsLine(z: Float64Array, n: number): { slope: number } | null {
  let count = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let j = 0; j < n; j++) {
    const v = z[j];
    if (v !== v) continue;
    count++;
    sx += j;
    sy += v;
    sxx += j * j;
    sxy += j * v;
  }
  if (count < MIN_RESIDUALS) return null;
  const varX = sxx - (sx * sx) / count;
  return { slope: varX > 0 ? (sxy - (sx * sy) / count) / varX : 0 };
}

/**
 * Additive daily seasonal index over values[from, to): at each phase i mod p, the mean of the
 * series minus its centred p-step moving average (the trend), smoothed by a circular moving
 * average of ±p/96 phases (a quarter hour on 1-minute data: three days give two or three noisy
 * points per phase) and re-centred to mean 0. NaN steps are left out of both means.
 */
function seasonalIndex(values: Float32Array, from: number, to: number, p: number): Float64Array {
  // Prefix sums of observed values and counts: the moving average in O(1) per step.
  const n = to - from;
  const prefix = new Float64Array(n + 1);
  const prefixCount = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = values[from + i];
    const seen = v === v;
    prefix[i + 1] = prefix[i] + (seen ? v : 0);
    prefixCount[i + 1] = prefixCount[i] + (seen ? 1 : 0);
  }
  const half = Math.floor(p / 2);
  const sum = new Float64Array(p);
  const count = new Float64Array(p);
  for (let i = half; i + p - half <= n; i++) {
    const v = values[from + i];
    const c = prefixCount[i + p - half] - prefixCount[i - half];
    if (v !== v || c === 0) continue;
    const trend = (prefix[i + p - half] - prefix[i - half]) / c;
    sum[(from + i) % p] += v - trend;
    count[(from + i) % p]++;
  }
  const raw = new Float64Array(p);
  for (let j = 0; j < p; j++) raw[j] = count[j] > 0 ? sum[j] / count[j] : 0;
  const w = Math.max(0, Math.round(p / 96));
  const out = new Float64Array(p);
  let window = 0;
  for (let d = -w; d <= w; d++) window += raw[((d % p) + p) % p];
  let centre = 0;
  for (let j = 0; j < p; j++) {
    out[j] = window / (2 * w + 1);
    centre += out[j];
    window += raw[(j + w + 1) % p] - raw[(((j - w) % p) + p) % p];
  }
  centre /= p;
  for (let j = 0; j < p; j++) out[j] -= centre;
  return out;
}

/**
 * One-step SES over z[0, n) (level starts at the first observed value; NaN steps leave it
 * unchanged): the sum of squared errors and their count, the errors into `out` when given.
 */
function sesPass(z: Float64Array, n: number, a: number, out: Float64Array | null): { sse: number; count: number } {
  let level = Number.NaN;
  let sse = 0;
  let count = 0;
  for (let j = 0; j < n; j++) {
    const v = z[j];
    if (v !== v) continue;
    if (level !== level) {
      level = v;
      continue;
    }
    const e = v - level;
    sse += e * e;
    if (out !== null) out[count] = e;
    count++;
    level += a * e;
  }
  return { sse, count };
}

/**
 * sesPass's sum of squared errors for every α of `alphas` in one sweep over z[0, n): each α keeps
 * its own level and sum, updated exactly as sesPass would (same operations, same order), so the
 * sums are sesPass's bit for bit, for one read of z instead of one per α.
 */
function sesGridSse(z: Float64Array, n: number, alphas: readonly number[]): Float64Array {
  const A = alphas.length;
  const a = Float64Array.from(alphas);
  const level = new Float64Array(A).fill(Number.NaN);
  const sse = new Float64Array(A);
  for (let j = 0; j < n; j++) {
    const v = z[j];
    if (v !== v) continue;
    for (let i = 0; i < A; i++) {
      const l = level[i];
      if (l !== l) {
        level[i] = v;
        continue;
      }
      const e = v - l;
      sse[i] += e * e;
      level[i] = l + a[i] * e;
    }
  }
  return sse;
}

/** The SES level after z[0, n), continued from `level` after z[0, from) (NaN and 0 to start). */
function sesLevel(z: Float64Array, from: number, n: number, a: number, start: number): number {
  let level = start;
  for (let j = from; j < n; j++) {
    const v = z[j];
    if (v !== v) continue;
    level = level !== level ? v : level + a * (v - level);
  }
  return level;
}
