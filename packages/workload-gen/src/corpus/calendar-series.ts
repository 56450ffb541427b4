/**
 * Calendar-true cloud-metric series for pretraining: a daily profile and a weekly modulation laid
 * on the real clock at a grid step of 1 to 60 minutes, so "daily" is exactly 1440 / step points
 * and "weekly" exactly 7 × that, whatever the step.
 *
 * Why a family of its own: kernel compositions (kernel-composition.ts) draw log-uniform periods,
 * and only a small share of their series repeat at a calendar period; a forecaster that must
 * serve hourly (M4-Hourly, fleet metrics aggregated to 60 min), 5-minute (CloudWatch, NAB) and
 * 1–15-minute grids needs to learn "repeat yesterday / last week, with the level of today" at
 * every one of those periods. The shapes come from what hosting metrics show: business-hours
 * plateaus, evening peaks, nightly batch windows and cron bursts, weekend dips, holidays,
 * deployments that shift the level, saturation at a capacity, count noise on quiet tenants.
 *
 * Deterministic and platform-independent like the rest of the corpus: every draw comes from one
 * `Rng` stream keyed by (corpus seed, index) under the corpus domain, with the deterministic
 * exp/log/cos.
 */
import { detCos, detExp, detLog } from '../deterministic-math.js';
import { Rng } from '../prng.js';
import { assertCorpusSeed, CORPUS_DOMAIN } from '../seed-domains.js';
import { logUniform } from './kernels.js';

const MINUTES_PER_DAY = 1440;
const DAYS_PER_WEEK = 7;
/** Stream id of this family inside the corpus domain (corpusSeries uses stream 0). */
const CALENDAR_STREAM = 0x43414c;

/** Grid steps in minutes and how often each is drawn: weighted to the grids the model serves. */
const STEPS_MINUTES = [1, 5, 10, 15, 30, 60] as const;
const STEP_WEIGHTS = [0.12, 0.26, 0.08, 0.14, 0.1, 0.3] as const;

export interface CalendarSeries {
  values: Float32Array;
  stepMinutes: number;
}

/** Series `index` of corpus `seed`: `length` points on a calendar grid (NaN marks a gap). */
export function calendarCorpusSeries(seed: number, index: number, length: number): Float32Array {
  return calendarSeries(seed, index, length).values;
}

/** The same series with its grid step (for corpus summaries and tests). */
export function calendarSeries(seed: number, index: number, length: number): CalendarSeries {
  assertCorpusSeed(seed);
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError(`corpus index must be a non-negative integer, got ${index}`);
  if (!Number.isInteger(length) || length < 1 || length > 1 << 24)
    throw new RangeError(`corpus series length must be an integer in [1, 2^24], got ${length}`);
  const rng = new Rng(CORPUS_DOMAIN, seed, index, CALENDAR_STREAM);
  const step = pickStep(rng);
  const daily = dailyProfile(rng);
  const weekly = weeklyFactors(rng);
  const values = new Float64Array(length);
  synthesise(values, length, step, daily, weekly, rng);
  return { values: finish(values, length, rng), stepMinutes: step };
}

function pickStep(rng: Rng): number {
  const u = rng.uniform();
  let cumulative = 0;
  for (let i = 0; i < STEPS_MINUTES.length; i++) {
    cumulative += STEP_WEIGHTS[i];
    if (u < cumulative) return STEPS_MINUTES[i];
  }
  return 60;
}

/**
 * A daily shape tabulated per minute of the day, zero-mean-ish and of unit-order amplitude. One of
 * five shapes, sometimes with a cron burst on top; tabulating makes the per-point cost a look-up.
 */
function dailyProfile(rng: Rng): Float64Array {
  const table = new Float64Array(MINUTES_PER_DAY);
  const shape = rng.int(5);
  if (shape === 0) {
    // Raised cosine with a random peak hour (the workload archetypes' diurnal cycle).
    const peak = rng.between(0, 24);
    for (let m = 0; m < MINUTES_PER_DAY; m++) table[m] = detCos((2 * Math.PI * (m / 60 - peak)) / 24);
  } else if (shape === 1) {
    // Business-hours plateau: smooth on/off ramps around a random opening and closing hour.
    const open = rng.between(6, 10);
    const close = open + rng.between(7, 12);
    const ramp = rng.between(0.3, 1.5);
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      const h = m / 60;
      table[m] = sigmoid((h - open) / ramp) - sigmoid((h - close) / ramp);
    }
  } else if (shape === 2) {
    // Two peaks (morning and evening traffic).
    const a = rng.between(7, 12);
    const b = rng.between(17, 22);
    const wa = rng.between(1, 3);
    const wb = rng.between(1, 3);
    const rel = rng.between(0.4, 1.2);
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      const h = m / 60;
      table[m] = bump(h, a, wa) + rel * bump(h, b, wb);
    }
  } else if (shape === 3) {
    // A random Fourier series at the daily harmonics (any smooth daily pattern).
    const harmonics = 1 + rng.int(6);
    for (let k = 1; k <= harmonics; k++) {
      const amp = rng.normal() / k;
      const phase = rng.between(0, 2 * Math.PI);
      for (let m = 0; m < MINUTES_PER_DAY; m++)
        table[m] += amp * detCos((2 * Math.PI * k * m) / MINUTES_PER_DAY + phase);
    }
  } else {
    // Nightly batch window: a flat day with a block of heavy work at night.
    const start = rng.between(0, 5);
    const hours = rng.between(0.5, 4);
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      const h = m / 60;
      table[m] = sigmoid((h - start) / 0.1) - sigmoid((h - start - hours) / 0.1);
    }
  }
  if (rng.uniform() < 0.25) {
    // Cron burst every `every` minutes lasting `width` minutes (wp-cron, backups, cache refills).
    const every = [15, 30, 60, 120, 360, 1440][rng.int(6)];
    const width = Math.max(1, Math.round(every * rng.between(0.02, 0.15)));
    const offset = rng.int(every);
    const height = logUniform(rng, 0.3, 3);
    for (let m = 0; m < MINUTES_PER_DAY; m++) if ((m + offset) % every < width) table[m] += height;
  }
  if (rng.uniform() < 0.3) {
    // Sharpen: usage curves are often peaky rather than sinusoidal.
    const k = rng.between(1, 3);
    for (let m = 0; m < MINUTES_PER_DAY; m++) table[m] = detExp(k * table[m]) / detExp(k);
  }
  return table;
}

/** Level and amplitude factors per weekday (0 = Sunday): weekend dips or weekend peaks. */
function weeklyFactors(rng: Rng): { level: Float64Array; amp: Float64Array } {
  const level = new Float64Array(DAYS_PER_WEEK).fill(1);
  const amp = new Float64Array(DAYS_PER_WEEK).fill(1);
  const kind = rng.uniform();
  if (kind < 0.55) {
    const weekend = rng.uniform() < 0.8 ? rng.between(0.2, 0.9) : rng.between(1.1, 1.8);
    level[0] = level[6] = 1 + (weekend - 1) * rng.between(0.2, 1);
    amp[0] = amp[6] = weekend;
  }
  if (rng.uniform() < 0.5) {
    // Day-to-day variation that repeats every week (Monday peaks, Friday lulls).
    const spread = rng.between(0.02, 0.15);
    for (let d = 0; d < DAYS_PER_WEEK; d++) {
      level[d] *= 1 + spread * rng.normal();
      amp[d] *= 1 + spread * rng.normal();
    }
  }
  return { level, amp };
}

/** Level × (1 + amplitude × daily shape), trends, shifts, noise and spikes on the calendar grid. */
function synthesise(
  out: Float64Array,
  n: number,
  step: number,
  daily: Float64Array,
  weekly: { level: Float64Array; amp: Float64Array },
  rng: Rng,
): void {
  const startMinute = rng.int(DAYS_PER_WEEK * MINUTES_PER_DAY);
  const amplitude = rng.uniform() < 0.1 ? 0 : logUniform(rng, 0.05, 1.5);
  const multiplicative = rng.uniform() < 0.6;
  const stepsPerDay = MINUTES_PER_DAY / step;
  // Trend per day as a fraction of the level; mostly small, sometimes strong growth or decline.
  const trendPerDay = rng.uniform() < 0.5 ? 0 : rng.normal() * logUniform(rng, 0.002, 0.1);
  const holiday = rng.uniform() < 0.15 ? rng.int(Math.max(1, Math.ceil(n / stepsPerDay))) : -1;
  // Level shifts (deployments, migrations): a few change points with a jump, sometimes also in amplitude.
  const shifts = rng.uniform() < 0.3 ? 1 + rng.int(3) : 0;
  const shiftAt: number[] = [];
  const shiftBy: number[] = [];
  const shiftAmp: number[] = [];
  for (let i = 0; i < shifts; i++) {
    shiftAt.push(rng.int(n));
    shiftBy.push(rng.normal() * logUniform(rng, 0.05, 1));
    shiftAmp.push(rng.uniform() < 0.3 ? rng.between(0.5, 1.5) : 1);
  }
  // Noise: AR(1) with a per-minute φ (coarser grids see φ^step), heteroscedastic when multiplicative.
  const noiseSd = logUniform(rng, 0.005, 0.25);
  const phiPerMinute = rng.uniform() < 0.5 ? 0 : rng.between(0.5, 0.995);
  const phi = detExp(step * detLog(Math.max(phiPerMinute, 1e-9)));
  const innovation = Math.sqrt(Math.max(0, 1 - phi * phi));
  // Random walk in the level (slow drift that seasonal naive cannot see); its variance grows with
  // elapsed minutes, so the drift per day is the same on every grid.
  const walkSd = rng.uniform() < 0.3 ? logUniform(rng, 2e-4, 4e-3) * Math.sqrt(step) : 0;
  // Spikes: Poisson arrivals per minute, exponential decay per minute.
  const spikeRatePerMinute = rng.uniform() < 0.35 ? logUniform(rng, 1e-4, 5e-3) : 0;
  const spikeHeight = logUniform(rng, 0.3, 5);
  const spikeDecay = detExp(-step / logUniform(rng, 1, 120));
  const spikeProb = 1 - detExp(-spikeRatePerMinute * step);

  let ar = rng.normal();
  let walk = 0;
  let spike = 0;
  for (let t = 0; t < n; t++) {
    const minute = startMinute + t * step;
    const dayIndex = Math.floor(minute / MINUTES_PER_DAY);
    const weekday = dayIndex % DAYS_PER_WEEK;
    const isHoliday = holiday >= 0 && Math.floor((t * step) / MINUTES_PER_DAY) === holiday;
    const wd = isHoliday ? 0 : weekday; // a holiday looks like a Sunday
    let level = 1 + (trendPerDay * t) / stepsPerDay + walk;
    let amp = amplitude * weekly.amp[wd];
    for (let i = 0; i < shifts; i++) {
      if (t >= shiftAt[i]) {
        level += shiftBy[i];
        amp *= shiftAmp[i];
      }
    }
    level *= weekly.level[wd];
    const season = daily[minute % MINUTES_PER_DAY];
    const base = multiplicative ? level * (1 + amp * season) : level + amp * season;
    ar = phi * ar + innovation * rng.normal();
    walk += walkSd * rng.normal();
    spike *= spikeDecay;
    if (spikeProb > 0 && rng.uniform() < spikeProb) spike += spikeHeight * detExp(rng.normal() * 0.5);
    const noise = noiseSd * ar * (multiplicative ? Math.max(0.05, Math.abs(base)) : 1);
    out[t] = base + noise + spike * Math.max(0.05, Math.abs(level));
  }
}

/**
 * Magnitude, clamps and gaps: a random scale and offset (raw-looking numbers), optional
 * non-negativity, a saturation cap, integer counts, and rare runs of missing points.
 */
function finish(values: Float64Array, n: number, rng: Rng): Float32Array {
  const scale = detExp(rng.normal() * 2);
  const offset = rng.uniform() < 0.3 ? rng.normal() * scale : 0;
  const nonNegative = rng.uniform() < 0.7;
  let cap = Infinity;
  if (rng.uniform() < 0.12) {
    let max = -Infinity;
    for (let t = 0; t < n; t++) max = Math.max(max, values[t]);
    cap = max * rng.between(0.6, 0.95);
  }
  const counts = rng.uniform() < 0.12;
  const countScale = counts ? logUniform(rng, 0.5, 50) : 1;
  const gapRuns = rng.uniform() < 0.1 ? 1 + rng.int(4) : 0;
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    let v = Math.min(values[t], cap);
    if (nonNegative && v < 0) v = 0;
    if (counts) v = poissonLike(Math.max(0, v) * countScale, rng) / countScale;
    out[t] = v * scale + offset;
  }
  for (let g = 0; g < gapRuns; g++) {
    const start = rng.int(n);
    const len = 1 + rng.int(12);
    for (let t = start; t < Math.min(n, start + len); t++) out[t] = NaN;
  }
  return out;
}

function sigmoid(x: number): number {
  return 1 / (1 + detExp(-Math.max(-40, Math.min(40, x))));
}

function bump(h: number, centre: number, width: number): number {
  const d = Math.min(Math.abs(h - centre), 24 - Math.abs(h - centre));
  return detExp((-0.5 * d * d) / (width * width));
}

/** A count with mean `mean`: exact Poisson by inversion when small, normal approximation when large. */
function poissonLike(mean: number, rng: Rng): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const limit = detExp(-mean);
  let k = 0;
  let p = rng.uniform();
  while (p > limit && k < 200) {
    p *= rng.uniform();
    k++;
  }
  return k;
}
