/**
 * Non-kernel corpus families: the shapes a cloud-metrics forecaster meets that GP kernels do
 * not produce — random walks, level shifts, piecewise trends, spikes, intermittent demand.
 * Each writes n values into `out` (a scratch buffer), drawing only from `rng`.
 */
import { detExp } from '../deterministic-math.js';
import type { Rng } from '../prng.js';
import { logUniform, periodicSample } from './kernels.js';

/** Gaussian random walk with optional drift and optional mean reversion (AR with φ near 1). */
export function randomWalk(out: Float64Array, n: number, rng: Rng): void {
  const sd = logUniform(rng, 0.01, 1);
  const drift = rng.uniform() < 0.5 ? 0 : rng.normal() * sd * 0.2;
  const phi = rng.uniform() < 0.5 ? 1 : 1 - logUniform(rng, 1e-3, 0.05);
  rng.fillNormal(out, n);
  let x = rng.normal() * sd * 10;
  for (let t = 0; t < n; t++) {
    x = phi * x + drift + sd * out[t];
    out[t] = x;
  }
}

/** Piecewise-constant level with a few shifts, noise, and sometimes a daily-like cycle. */
export function levelShifts(out: Float64Array, n: number, rng: Rng, scratch: Float64Array): void {
  const shifts = 1 + rng.int(5);
  const noise = logUniform(rng, 0.01, 0.3);
  let level = rng.normal();
  const shiftPoints: number[] = [];
  for (let i = 0; i < shifts; i++) shiftPoints.push(rng.int(n));
  shiftPoints.sort((a, b) => a - b);
  let nextShift = shiftPoints[0];
  let k = 0;
  rng.fillNormal(out, n);
  for (let t = 0; t < n; t++) {
    while (t === nextShift) {
      level += rng.normal() * 2;
      k++;
      nextShift = k < shiftPoints.length ? shiftPoints[k] : n;
    }
    out[t] = level + noise * out[t];
  }
  if (rng.uniform() < 0.5) addSeason(out, n, rng, scratch, 0.5);
}

/** Piecewise-linear trend with changepoints (Prophet-style), plus noise and maybe a season. */
export function piecewiseTrend(out: Float64Array, n: number, rng: Rng, scratch: Float64Array): void {
  const changepoints = rng.int(4);
  let slope = rng.normal() * 3;
  let level = rng.normal();
  const cps: number[] = [];
  for (let i = 0; i < changepoints; i++) cps.push(rng.int(n));
  cps.sort((a, b) => a - b);
  const noise = logUniform(rng, 0.01, 0.5);
  const exponential = rng.uniform() < 0.2;
  let k = 0;
  rng.fillNormal(out, n);
  for (let t = 0; t < n; t++) {
    while (k < cps.length && cps[k] === t) {
      slope += rng.normal() * 3;
      k++;
    }
    level += slope / n;
    out[t] = (exponential ? detExp(Math.max(-20, Math.min(20, level))) : level) + noise * out[t];
  }
  if (rng.uniform() < 0.6) addSeason(out, n, rng, scratch, 0.8);
}

/**
 * A baseline with Poisson spikes: exponential-decay spikes (like the workload archetypes) or
 * one-point outliers, on a flat or seasonal base.
 */
export function spikes(out: Float64Array, n: number, rng: Rng, scratch: Float64Array): void {
  const rate = logUniform(rng, 0.002, 0.05); // spikes per step
  const magnitude = logUniform(rng, 1, 20);
  const decay = rng.uniform() < 0.3 ? 0 : detExp(-1 / logUniform(rng, 1, 30));
  const noise = logUniform(rng, 0.02, 0.5);
  rng.fillNormal(out, n);
  let acc = 0;
  for (let t = 0; t < n; t++) {
    acc *= decay;
    if (rng.uniform() < rate) acc += rng.exponential(magnitude);
    out[t] = 1 + noise * out[t] + acc;
  }
  if (rng.uniform() < 0.5) addSeason(out, n, rng, scratch, 0.5);
}

/**
 * Intermittent (sparse) demand: mostly zeros, occasional positive values (Croston's setting),
 * sometimes in clumps (a Markov on/off chain) rather than independent.
 */
export function intermittent(out: Float64Array, n: number, rng: Rng): void {
  const pOn = logUniform(rng, 0.01, 0.4);
  const stickiness = rng.uniform() < 0.5 ? 0 : rng.between(0.3, 0.9);
  const meanSize = logUniform(rng, 0.5, 50);
  const integer = rng.uniform() < 0.5;
  let on = false;
  for (let t = 0; t < n; t++) {
    on = on && rng.uniform() < stickiness ? true : rng.uniform() < pOn;
    if (!on) {
      out[t] = 0;
      continue;
    }
    const size = rng.exponential(meanSize);
    out[t] = integer ? 1 + Math.floor(size) : size;
  }
}

/** Add a periodic component of random period (from the common set) scaled to `relative` of the series' spread. */
function addSeason(out: Float64Array, n: number, rng: Rng, scratch: Float64Array, relative: number): void {
  const period = pickPeriod(rng, n);
  periodicSample(scratch, n, rng, period, logUniform(rng, 0.5, 3));
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < n; t++) {
    if (out[t] < lo) lo = out[t];
    if (out[t] > hi) hi = out[t];
  }
  const scale = relative * Math.max(hi - lo, 1e-3) * rng.uniform();
  for (let t = 0; t < n; t++) out[t] += scale * scratch[t];
}

/**
 * Periods a forecaster of cloud metrics meets, in steps: daily and weekly cycles at 60-minute
 * (24, 168), 30-minute (48, 336), 15-minute (96, 672) and 5-minute (288) resolution, hourly at
 * 5-minute and 1-minute (12, 60), daily at 1-minute (1440), a week of days (7), plus random
 * periods half the time. Only periods with at least two cycles in the window are used.
 */
export const COMMON_PERIODS: readonly number[] = [24, 48, 96, 168, 288, 12, 7, 60, 1440, 336, 672];

export function pickPeriod(rng: Rng, n: number): number {
  const fitting = COMMON_PERIODS.filter((p) => p * 2 <= n);
  if (fitting.length === 0 || rng.uniform() < 0.5) return logUniform(rng, 2, Math.max(3, n / 2));
  return fitting[rng.int(fitting.length)];
}
