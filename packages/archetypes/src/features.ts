/**
 * Tenant feature vectors for archetype retrieval (design.md §6).
 *
 * CORE (the 28 of the issue), per metric in METRIC order cpu, mem, net, disk:
 *   mean, std, min, max, p90  as slog(v) = sign(v)·log1p(|v|/unit): net is bytes/s and spans five
 *                             orders of magnitude across archetypes (idle 0.1, retail 800), cpu
 *                             spans 0.001–2; on a linear scale one big tenant would set the whole
 *                             standardised axis. `unit` (cpu/mem 0.01, net/disk 1) is roughly a
 *                             metric's resolution, where the scale bends from linear to log.
 *   acf1                      lag-1 autocorrelation of the raw series (over pairs with both ends
 *                             finite). On a long history it is ≈1 wherever a daily cycle exists;
 *                             on a short window it reads the AR(1) φ.
 *   spikeRatio                fraction of one-step INCREASES larger than 6 robust standard
 *                             deviations of the first differences (1.4826·MAD). Why not "points
 *                             above median + k·MAD" or max/p90: both read a smooth daily peak
 *                             (retail at 15:00 is 1.6× its night level) as spikes. A jump test on
 *                             first differences is blind to slow cycles and counts what the
 *                             spike process is — Poisson arrivals (wp-cron ≈ 40/day, a blog ≈ 1).
 *                             Gaussian differences cross 6σ with probability ~2e-9, so a pure
 *                             AR(1) tenant scores 0.
 * EXTRAS — on by default: diffAcf1, coupling, daily (the ablation in README.md shows they help);
 * computable but off by default: noise, time-of-day (no gain in the ablation):
 *   noise     per metric: log of the robust sd of first differences relative to the median level —
 *             the generator's relative noise σ·√(2(1−φ)), free of level and of slow cycles.
 *   diffAcf1  per metric: lag-1 autocorrelation of first differences, −(1−φ)/2 for AR(1): φ
 *             without the daily cycle that swamps acf1 on long histories.
 *   coupling  cpu–net, cpu–mem, cpu–disk correlation of first differences winsorised at ±4 robust
 *             sd: the shared-noise ρ (0 for wp-cron and idle, .2 blog, .5 retail, .6–.9 cache);
 *             winsorising keeps one burst from setting it, while spikes that hit both metrics
 *             (wp-cron's jobs hit cpu and disk) still raise it.
 *   daily     (≥ 2 days) per metric diurnal strength = share of variance explained by the
 *             hour-of-day profile (UTC hours); cpu peak phase as strength·(cos, sin) of the first
 *             daily harmonic (weighted so a flat tenant's arbitrary phase does not count);
 *             cpu weekend/weekday log mean ratio (UTC calendar; needs ≥ 1 day of each).
 *   time-of-day (< 1 day) UTC time of day of the window's midpoint as (cos, sin) and a weekend
 *             flag: a 2-hour window of b2b-saas at 03:00 looks nothing like one at 11:00, and a
 *             window store holding windows from all hours can match the hour.
 *
 * Short histories: every feature is NaN-safe — missing points are skipped, and a feature that
 * cannot be computed is NaN, which ArchetypeScaler imputes as the fitted mean (0 after scaling,
 * i.e. "no evidence"). Degenerate or unavailable by length:
 *   n < 2 points:      std, acf1 and everything built on differences are NaN.
 *   constant series:   std 0; acf1, diffAcf1, coupling are NaN (0/0); spikeRatio 0; noise at its
 *                      floor log(1e-6). A coarsely quantised series (most differences exactly 0)
 *                      has MAD 0, so every rise counts in spikeRatio: real integer counters
 *                      (requests, IOPS) would need dithering or a quantum-aware floor.
 *                      The generator's series carry float noise on every point and do not.
 *   < 2 days:          the daily group is NaN (an hour-of-day profile seen once is not a cycle);
 *                      weekendRatio also needs ≥ 1 day each of weekend and weekday points.
 *   ≥ 1 day:           the time-of-day group is NaN (a window that long has no single "hour").
 *
 * FeatureExtractor owns its scratch buffers and grows them only for a longer window than it has
 * seen, so extracting features for a fleet of windows allocates nothing per call besides `out`.
 */
import { DAY_MS, HOUR_MS } from '@tsfm/numerics';
import { isWeekend, msOfDay, weekdayOf, type Tenant } from '@tsfm/workload-gen';
import { quantileInPlace } from './order-statistics.js';

/**
 * Bump whenever a feature's definition, order or transform changes: stores built with another
 * version hold vectors that are not comparable with today's and refuse to load.
 */
export const FEATURE_VERSION = 1;

export const FEATURE_METRICS = ['cpu', 'mem', 'net', 'disk'] as const;
export type FeatureMetric = (typeof FEATURE_METRICS)[number];

/** Where slog() bends from linear to logarithmic, per metric: about the metric's resolution. */
const SCALE_UNIT: Readonly<Record<FeatureMetric, number>> = { cpu: 0.01, mem: 0.01, net: 1, disk: 1 };

export const FEATURE_GROUPS = ['core', 'noise', 'diffAcf1', 'coupling', 'daily', 'time-of-day'] as const;
export type FeatureGroup = (typeof FEATURE_GROUPS)[number];

/**
 * The groups a store uses unless told otherwise: core plus the extras that helped in the
 * ablation (README.md) on two 1000-tenant fleets. 'noise' and 'time-of-day' stay computable
 * for the ablation but are off: neither improved accuracy (noise cost up to 0.01 at 240–480
 * minutes; time-of-day gets a Fisher weight ≈ 0 because every archetype's windows cover all
 * hours, and unweighted it did not help either).
 */
export const DEFAULT_FEATURE_GROUPS: readonly FeatureGroup[] = ['core', 'diffAcf1', 'coupling', 'daily'];

const CORE_STATS = ['mean', 'std', 'min', 'max', 'p90', 'acf1', 'spikeRatio'] as const;
const COUPLED_METRICS = ['net', 'mem', 'disk'] as const;

/** Jump threshold of spikeRatio, in robust sd of first differences. */
const SPIKE_SIGMAS = 6;
/** Winsorising bound of the coupling correlations, in robust sd. */
const WINSOR_SIGMAS = 4;
/** 1.4826·MAD estimates the sd of a normal sample. */
const MAD_TO_SD = 1.4826;
const NOISE_FLOOR = 1e-6;
const MIN_DAILY_SPAN_MS = 2 * DAY_MS;

export type TenantSeries = Pick<Tenant, 'start' | 'stepMs' | 'metrics'>;

/** Half-open point range [from, to) of a tenant's grid. */
export interface PointRange {
  readonly from?: number;
  readonly to?: number;
}

/** Feature names for a set of groups, in vector order (groups are always in FEATURE_GROUPS order). */
export function featureNames(groups: readonly FeatureGroup[] = DEFAULT_FEATURE_GROUPS): string[] {
  const on = new Set(groups);
  for (const g of groups) if (!FEATURE_GROUPS.includes(g)) throw new RangeError(`unknown feature group "${g}"`);
  const names: string[] = [];
  if (on.has('core')) for (const m of FEATURE_METRICS) for (const s of CORE_STATS) names.push(`${m}.${s}`);
  if (on.has('noise')) for (const m of FEATURE_METRICS) names.push(`${m}.noise`);
  if (on.has('diffAcf1')) for (const m of FEATURE_METRICS) names.push(`${m}.diffAcf1`);
  if (on.has('coupling')) for (const m of COUPLED_METRICS) names.push(`cpu-${m}.diffCorr`);
  if (on.has('daily')) {
    for (const m of FEATURE_METRICS) names.push(`${m}.diurnalStrength`);
    names.push('cpu.peakCos', 'cpu.peakSin', 'cpu.weekendRatio');
  }
  if (on.has('time-of-day')) names.push('window.todCos', 'window.todSin', 'window.weekend');
  return names;
}

/** sign(v)·log1p(|v|/unit): log for large values, linear near 0, defined for 0 and negatives. */
function slog(v: number, unit: number): number {
  return v < 0 ? -Math.log1p(-v / unit) : Math.log1p(v / unit);
}

export class FeatureExtractor {
  readonly groups: readonly FeatureGroup[];
  readonly names: readonly string[];
  readonly dim: number;
  private readonly on: ReadonlySet<FeatureGroup>;

  // Scratch, reused call after call: finite values and first differences of one metric (grown
  // only for a longer range than seen before) ...
  private values = new Float64Array(0);
  private diffs = new Float64Array(0);
  // ... per-metric results that later groups need: coupling the median and robust sd of each
  // metric's differences, daily the level mean and sum of squares, and the grouped outputs ...
  private readonly diffCentre = new Float64Array(FEATURE_METRICS.length);
  private readonly diffSd = new Float64Array(FEATURE_METRICS.length);
  private readonly levelMean = new Float64Array(FEATURE_METRICS.length);
  private readonly sumSquares = new Float64Array(FEATURE_METRICS.length);
  private readonly noiseScratch = new Float64Array(FEATURE_METRICS.length);
  private readonly diffAcfScratch = new Float64Array(FEATURE_METRICS.length);
  // ... the hour-of-day profile of one metric, and metricStats' result object.
  private readonly hourSum = new Float64Array(24);
  private readonly hourCount = new Float64Array(24);
  private readonly stats = {
    mean: NaN,
    std: NaN,
    min: NaN,
    max: NaN,
    p90: NaN,
    acf1: NaN,
    spikeRatio: NaN,
    noise: NaN,
    diffAcf1: NaN,
  };

  constructor(groups: readonly FeatureGroup[] = DEFAULT_FEATURE_GROUPS) {
    this.names = featureNames(groups);
    this.groups = FEATURE_GROUPS.filter((g) => groups.includes(g));
    this.on = new Set(this.groups);
    this.dim = this.names.length;
  }

  /** Features of points [from, to) of `tenant` (default: all), written into `out`. */
  extract(tenant: TenantSeries, range: PointRange = {}, out: Float32Array = new Float32Array(this.dim)): Float32Array {
    if (out.length !== this.dim) throw new RangeError(`out holds ${out.length} values, ${this.dim} features`);
    const length = seriesLength(tenant);
    const from = Math.max(0, range.from ?? 0);
    const to = Math.min(length, range.to ?? length);
    this.ensureCapacity(Math.max(0, to - from));
    let k = 0;
    const core = this.on.has('core');
    for (let m = 0; m < FEATURE_METRICS.length; m++) {
      const metric = FEATURE_METRICS[m];
      const x = tenant.metrics[metric];
      const stats = this.metricStats(x, from, to, m, SCALE_UNIT[metric]);
      if (core) {
        out[k++] = stats.mean;
        out[k++] = stats.std;
        out[k++] = stats.min;
        out[k++] = stats.max;
        out[k++] = stats.p90;
        out[k++] = stats.acf1;
        out[k++] = stats.spikeRatio;
      }
      this.noiseScratch[m] = stats.noise;
      this.diffAcfScratch[m] = stats.diffAcf1;
    }
    if (this.on.has('noise')) for (let m = 0; m < FEATURE_METRICS.length; m++) out[k++] = this.noiseScratch[m];
    if (this.on.has('diffAcf1')) for (let m = 0; m < FEATURE_METRICS.length; m++) out[k++] = this.diffAcfScratch[m];
    if (this.on.has('coupling')) {
      for (const other of COUPLED_METRICS)
        out[k++] = this.diffCorrelation(tenant, from, to, 0, FEATURE_METRICS.indexOf(other));
    }
    if (this.on.has('daily')) k = this.dailyFeatures(tenant, from, to, out, k);
    if (this.on.has('time-of-day')) k = timeOfDayFeatures(tenant, from, to, out, k);
    return out;
  }

  private metricStats(x: Float32Array | undefined, from: number, to: number, m: number, unit: number) {
    const s = this.stats;
    s.mean = s.std = s.min = s.max = s.p90 = s.acf1 = s.spikeRatio = s.noise = s.diffAcf1 = NaN;
    this.levelMean[m] = NaN;
    this.diffCentre[m] = NaN;
    this.diffSd[m] = NaN;
    this.sumSquares[m] = NaN;
    if (!x) return s;
    const values = this.values;
    let n = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = from; i < to; i++) {
      const v = x[i];
      if (v !== v) continue; // NaN: a missing point
      values[n++] = v;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (n === 0) return s;
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
    this.levelMean[m] = mean;
    this.sumSquares[m] = ss;
    s.mean = slog(mean, unit);
    s.min = slog(min, unit);
    s.max = slog(max, unit);
    s.std = n > 1 ? slog(Math.sqrt(ss / (n - 1)), unit) : NaN;
    s.p90 = slog(quantileInPlace(values, n, 0.9), unit);
    const median = quantileInPlace(values, n, 0.5);

    let lagProduct = 0;
    let pairs = 0;
    for (let i = from + 1; i < to; i++) {
      const a = x[i - 1];
      const b = x[i];
      if (a !== a || b !== b) continue;
      lagProduct += (a - mean) * (b - mean);
      pairs++;
    }
    s.acf1 = pairs >= 2 && ss > 0 ? lagProduct / ss : NaN;

    // First differences of consecutive finite pairs: their median/MAD give the noise scale that
    // spikeRatio, noise and coupling are measured in.
    const diffs = this.diffs;
    let nd = 0;
    let diffSum = 0;
    for (let i = from + 1; i < to; i++) {
      const d = x[i] - x[i - 1];
      if (d !== d) continue;
      diffs[nd++] = d;
      diffSum += d;
    }
    if (nd < 2) return s;
    const diffMean = diffSum / nd;
    let diffSs = 0;
    let diffLag = 0;
    for (let i = from + 2; i < to; i++) {
      const d1 = x[i - 1] - x[i - 2];
      const d2 = x[i] - x[i - 1];
      if (d1 !== d1 || d2 !== d2) continue;
      diffLag += (d1 - diffMean) * (d2 - diffMean);
    }
    for (let i = 0; i < nd; i++) diffSs += (diffs[i] - diffMean) * (diffs[i] - diffMean);
    s.diffAcf1 = diffSs > 0 ? diffLag / diffSs : NaN;

    const centre = quantileInPlace(diffs, nd, 0.5);
    // `diffs` becomes absolute deviations for the MAD; the jump count below re-reads x instead.
    for (let i = 0; i < nd; i++) diffs[i] = Math.abs(diffs[i] - centre);
    const sd = MAD_TO_SD * quantileInPlace(diffs, nd, 0.5);
    // MAD is 0 when over half the differences are equal (a constant or coarsely quantised
    // series). The floor only keeps float32 rounding from counting; any real rise then counts as
    // a jump — right for a flat line with one step, an over-count for integer-valued counters.
    const scale = Math.max(sd, 1e-9 * (Math.abs(median) + unit));
    let jumps = 0;
    for (let i = from + 1; i < to; i++) {
      const d = x[i] - x[i - 1];
      if (d - centre > SPIKE_SIGMAS * scale) jumps++;
    }
    s.spikeRatio = jumps / nd;
    s.noise = Math.log(NOISE_FLOOR + sd / (Math.abs(median) + 0.1 * unit));
    this.diffCentre[m] = centre;
    this.diffSd[m] = sd;
    return s;
  }

  /** Pearson correlation of winsorised first differences of metrics a and b. */
  private diffCorrelation(tenant: TenantSeries, from: number, to: number, a: number, b: number): number {
    const xa = tenant.metrics[FEATURE_METRICS[a]];
    const xb = tenant.metrics[FEATURE_METRICS[b]];
    const sdA = this.diffSd[a];
    const sdB = this.diffSd[b];
    if (!xa || !xb || !(sdA > 0) || !(sdB > 0)) return NaN;
    const ca = this.diffCentre[a];
    const cb = this.diffCentre[b];
    let n = 0;
    let sa = 0;
    let sb = 0;
    let saa = 0;
    let sbb = 0;
    let sab = 0;
    for (let i = from + 1; i < to; i++) {
      let da = (xa[i] - xa[i - 1] - ca) / sdA;
      let db = (xb[i] - xb[i - 1] - cb) / sdB;
      if (da !== da || db !== db) continue;
      da = da > WINSOR_SIGMAS ? WINSOR_SIGMAS : da < -WINSOR_SIGMAS ? -WINSOR_SIGMAS : da;
      db = db > WINSOR_SIGMAS ? WINSOR_SIGMAS : db < -WINSOR_SIGMAS ? -WINSOR_SIGMAS : db;
      n++;
      sa += da;
      sb += db;
      saa += da * da;
      sbb += db * db;
      sab += da * db;
    }
    if (n < 3) return NaN;
    const cov = sab - (sa * sb) / n;
    const va = saa - (sa * sa) / n;
    const vb = sbb - (sb * sb) / n;
    return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : NaN;
  }

  private dailyFeatures(tenant: TenantSeries, from: number, to: number, out: Float32Array, k: number): number {
    const spanMs = (to - from) * tenant.stepMs;
    // Backwards so that cpu (index 0) goes last and its profile stays in hourSum/hourCount.
    for (let m = FEATURE_METRICS.length - 1; m >= 0; m--) {
      out[k + m] = spanMs >= MIN_DAILY_SPAN_MS ? this.diurnalProfile(tenant, from, to, m) : NaN;
    }
    const cpuStrength = out[k];
    k += FEATURE_METRICS.length;
    if (cpuStrength === cpuStrength) {
      const phase = firstHarmonicPhase(this.hourSum, this.hourCount, this.levelMean[0]);
      out[k++] = cpuStrength * Math.cos(phase);
      out[k++] = cpuStrength * Math.sin(phase);
    } else {
      out[k++] = NaN;
      out[k++] = NaN;
    }
    out[k++] = spanMs >= MIN_DAILY_SPAN_MS ? weekendRatio(tenant, from, to) : NaN;
    return k;
  }

  /** Share of metric m's variance explained by its UTC hour-of-day means; fills hourSum/hourCount. */
  private diurnalProfile(tenant: TenantSeries, from: number, to: number, m: number): number {
    const x = tenant.metrics[FEATURE_METRICS[m]];
    const mean = this.levelMean[m];
    const total = this.sumSquares[m];
    if (!x || !(total > 0)) return NaN;
    this.hourSum.fill(0);
    this.hourCount.fill(0);
    for (let i = from; i < to; i++) {
      const v = x[i];
      if (v !== v) continue;
      const hour = Math.floor(msOfDay(tenant.start + i * tenant.stepMs) / HOUR_MS);
      this.hourSum[hour] += v;
      this.hourCount[hour]++;
    }
    let between = 0;
    for (let h = 0; h < 24; h++) {
      const c = this.hourCount[h];
      if (c === 0) continue;
      const d = this.hourSum[h] / c - mean;
      between += c * d * d;
    }
    return between / total;
  }

  private ensureCapacity(n: number): void {
    if (this.values.length >= n) return;
    this.values = new Float64Array(n);
    this.diffs = new Float64Array(n);
  }
}

/** Phase (radians, 0 = midnight UTC) of the first daily harmonic of an hour-of-day profile. */
function firstHarmonicPhase(hourSum: Float64Array, hourCount: Float64Array, mean: number): number {
  let a = 0;
  let b = 0;
  for (let h = 0; h < 24; h++) {
    const c = hourCount[h];
    if (c === 0) continue;
    const angle = (2 * Math.PI * (h + 0.5)) / 24;
    const d = hourSum[h] / c - mean;
    a += c * d * Math.cos(angle);
    b += c * d * Math.sin(angle);
  }
  return Math.atan2(b, a);
}

/** log of mean cpu on UTC weekend days over mean cpu on weekdays; NaN without a day of each. */
function weekendRatio(tenant: TenantSeries, from: number, to: number): number {
  const x = tenant.metrics.cpu;
  if (!x) return NaN;
  let weekendSum = 0;
  let weekendN = 0;
  let weekdaySum = 0;
  let weekdayN = 0;
  for (let i = from; i < to; i++) {
    const v = x[i];
    if (v !== v) continue;
    if (isWeekend(weekdayOf(tenant.start + i * tenant.stepMs))) {
      weekendSum += v;
      weekendN++;
    } else {
      weekdaySum += v;
      weekdayN++;
    }
  }
  const pointsPerDay = DAY_MS / tenant.stepMs;
  if (weekendN < pointsPerDay || weekdayN < pointsPerDay) return NaN;
  const tiny = 1e-3 * SCALE_UNIT.cpu;
  return Math.log((weekendSum / weekendN + tiny) / (weekdaySum / weekdayN + tiny));
}

function timeOfDayFeatures(tenant: TenantSeries, from: number, to: number, out: Float32Array, k: number): number {
  if (to <= from || (to - from) * tenant.stepMs >= DAY_MS) {
    out[k++] = NaN;
    out[k++] = NaN;
    out[k++] = NaN;
    return k;
  }
  const mid = tenant.start + ((from + to - 1) / 2) * tenant.stepMs;
  const angle = (2 * Math.PI * msOfDay(mid)) / DAY_MS;
  out[k++] = Math.cos(angle);
  out[k++] = Math.sin(angle);
  out[k++] = isWeekend(weekdayOf(mid)) ? 1 : 0;
  return k;
}

/** Shortest of the feature metrics present (they share one grid, so normally all equal). */
function seriesLength(tenant: TenantSeries): number {
  let length = Infinity;
  for (const m of FEATURE_METRICS) {
    const x = tenant.metrics[m];
    if (x && x.length < length) length = x.length;
  }
  return length === Infinity ? 0 : length;
}

/** Features of a whole tenant (or a range of it) with a throwaway extractor: for one-off calls. */
export function tenantFeatures(
  tenant: TenantSeries,
  groups?: readonly FeatureGroup[],
  range?: PointRange,
): Float32Array {
  return new FeatureExtractor(groups).extract(tenant, range);
}
