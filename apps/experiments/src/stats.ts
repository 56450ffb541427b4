/**
 * Paired comparison statistics for "method A vs method B on the same points".
 *
 * Points are (tenant, origin) pairs, and the origins of one tenant are NOT independent (same
 * tenant, overlapping histories, one winner's curse per tenant). So:
 *  - confidence intervals come from a CLUSTER bootstrap over tenants (whole tenants are
 *    resampled with replacement, with all their points), not from resampling points;
 *  - the Wilcoxon signed-rank test is reported both on per-tenant mean differences (one
 *    independent observation per tenant: the honest p) and on raw points (for reference; it
 *    treats correlated points as independent and so overstates the evidence).
 */
import { Mulberry32, scrambleSeed, sortedQuantile } from '@tsfm/numerics';

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length === 0 ? Number.NaN : s / values.length;
}

/** 1 − mean(a) / mean(b): the share of b's loss that a removes (> 0: a is better). */
export function relativeImprovement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return 1 - mean(a) / mean(b);
}

/** Share of pairs with a < b; a tie counts one half. */
export function pairedWinRate(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} vs ${b.length}`);
  let wins = 0;
  for (let i = 0; i < a.length; i++) wins += winScore(a[i]!, b[i]!);
  return a.length === 0 ? Number.NaN : wins / a.length;
}

function winScore(a: number, b: number): number {
  return a < b ? 1 : a === b ? 0.5 : 0;
}

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export interface PairedSummary {
  readonly points: number;
  readonly clusters: number;
  readonly meanA: number;
  readonly meanB: number;
  /** 1 − meanA / meanB. */
  readonly relativeImprovement: number;
  readonly relativeImprovementCI: Interval;
  /** Share of points with a < b (ties ½). */
  readonly winRate: number;
  readonly winRateCI: Interval;
  /** Wilcoxon signed-rank on per-cluster mean differences b − a (independent units). */
  readonly wilcoxonClusters: WilcoxonResult;
  /** Wilcoxon signed-rank on point differences b − a (treats correlated points as independent). */
  readonly wilcoxonPoints: WilcoxonResult;
}

export interface PairedOptions {
  /** Bootstrap replicates (default 2000). */
  readonly replicates?: number;
  /** Bootstrap seed (default 0). */
  readonly seed?: number;
  /** Two-sided confidence level (default 0.95). */
  readonly level?: number;
}

/**
 * Paired comparison of losses `a` (e.g. the harness) and `b` (a competitor) on the same points;
 * `cluster[i]` is point i's cluster (tenant) id. Every point must be finite in both.
 */
export function pairedSummary(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  cluster: ArrayLike<number>,
  options: PairedOptions = {},
): PairedSummary {
  const n = a.length;
  if (b.length !== n || cluster.length !== n) throw new RangeError('a, b and cluster must have the same length');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!))
      throw new RangeError(`pair ${i} is not finite (${a[i]}, ${b[i]}): pair only points both methods scored`);
  }
  // Per-cluster sufficient statistics: count, Σa, Σb, wins. Every statistic below is a ratio of
  // sums over clusters, so a bootstrap replicate only re-adds C cluster rows.
  const index = new Map<number, number>();
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = cluster[i]!;
    if (!index.has(c)) {
      index.set(c, ids.length);
      ids.push(c);
    }
  }
  const C = ids.length;
  const count = new Float64Array(C);
  const sumA = new Float64Array(C);
  const sumB = new Float64Array(C);
  const wins = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    const c = index.get(cluster[i]!)!;
    count[c]! += 1;
    sumA[c]! += a[i]!;
    sumB[c]! += b[i]!;
    wins[c]! += winScore(a[i]!, b[i]!);
  }
  const B = options.replicates ?? 2000;
  const level = options.level ?? 0.95;
  const rng = new Mulberry32(scrambleSeed(options.seed ?? 0));
  const relBoot = new Float64Array(B);
  const winBoot = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    let k = 0;
    let sa = 0;
    let sb = 0;
    let w = 0;
    for (let j = 0; j < C; j++) {
      const c = rng.int(C);
      k += count[c]!;
      sa += sumA[c]!;
      sb += sumB[c]!;
      w += wins[c]!;
    }
    relBoot[r] = 1 - sa / sb;
    winBoot[r] = w / k;
  }
  relBoot.sort();
  winBoot.sort();
  const tail = (1 - level) / 2;
  // One cluster: every replicate is the sample itself, and a zero-width "interval" would claim a
  // certainty correlated points cannot give. No interval instead.
  const noCI = C < 2;
  const clusterDiffs = new Float64Array(C);
  for (let c = 0; c < C; c++) clusterDiffs[c] = (sumB[c]! - sumA[c]!) / count[c]!;
  const pointDiffs = new Float64Array(n);
  for (let i = 0; i < n; i++) pointDiffs[i] = b[i]! - a[i]!;
  const totalA = sum(sumA);
  const totalB = sum(sumB);
  return {
    points: n,
    clusters: C,
    meanA: totalA / n,
    meanB: totalB / n,
    relativeImprovement: 1 - totalA / totalB,
    relativeImprovementCI: noCI
      ? { lo: Number.NaN, hi: Number.NaN }
      : { lo: sortedQuantile(relBoot, tail), hi: sortedQuantile(relBoot, 1 - tail) },
    winRate: sum(wins) / n,
    winRateCI: noCI
      ? { lo: Number.NaN, hi: Number.NaN }
      : { lo: sortedQuantile(winBoot, tail), hi: sortedQuantile(winBoot, 1 - tail) },
    wilcoxonClusters: wilcoxonSignedRank(clusterDiffs),
    wilcoxonPoints: wilcoxonSignedRank(pointDiffs),
  };
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

export interface WilcoxonResult {
  /** Differences used (non-zero ones for zeroMethod 'wilcox'). */
  readonly n: number;
  readonly zeros: number;
  /** Rank sums of positive and negative differences. */
  readonly wPlus: number;
  readonly wMinus: number;
  /** (W+ − E[W+]) / sd, signed: > 0 means the differences lean positive. */
  readonly z: number;
  /** Two-sided p-value from the normal approximation. */
  readonly p: number;
}

export interface WilcoxonOptions {
  /**
   * 'wilcox' (default, as scipy): zero differences are dropped before ranking. 'pratt': zeros
   * are ranked with the rest, then dropped, and the null mean and variance are corrected for them.
   */
  readonly zeroMethod?: 'wilcox' | 'pratt';
  /** Continuity correction of ½ towards the mean (default false, as scipy). */
  readonly continuity?: boolean;
}

/**
 * Wilcoxon signed-rank test of "the differences are symmetric about 0", normal approximation:
 *   E[W+] = n(n+1)/4,  Var[W+] = n(n+1)(2n+1)/24 − Σ_ties (t³ − t)/48
 * with average ranks for tied |d|. Matches scipy.stats.wilcoxon(d, method='approx') for both
 * zero methods (test/experiments-stats.test.ts pins scipy's values). NaN differences throw.
 */
export function wilcoxonSignedRank(diffs: ArrayLike<number>, options: WilcoxonOptions = {}): WilcoxonResult {
  const zeroMethod = options.zeroMethod ?? 'wilcox';
  const all: number[] = [];
  let zeros = 0;
  for (let i = 0; i < diffs.length; i++) {
    const d = diffs[i]!;
    if (Number.isNaN(d)) throw new RangeError(`difference ${i} is NaN`);
    if (d === 0) zeros++;
    if (d !== 0 || zeroMethod === 'pratt') all.push(d);
  }
  const order = all.map((_, i) => i).sort((i, j) => Math.abs(all[i]!) - Math.abs(all[j]!));
  const ranks = new Float64Array(all.length);
  let tieTerm = 0;
  for (let s = 0; s < order.length; ) {
    let e = s + 1;
    while (e < order.length && Math.abs(all[order[e]!]!) === Math.abs(all[order[s]!]!)) e++;
    const rank = (s + 1 + e) / 2; // average of ranks s+1 … e
    for (let k = s; k < e; k++) ranks[order[k]!] = rank;
    s = e;
  }
  let wPlus = 0;
  let wMinus = 0;
  // Tie groups among the NON-ZERO differences' ranks (zeros share one rank under pratt and are
  // then removed, as scipy removes them before counting repeats).
  const tieCounts = new Map<number, number>();
  for (let i = 0; i < all.length; i++) {
    const d = all[i]!;
    if (d > 0) wPlus += ranks[i]!;
    else if (d < 0) wMinus += ranks[i]!;
    if (d !== 0) tieCounts.set(ranks[i]!, (tieCounts.get(ranks[i]!) ?? 0) + 1);
  }
  for (const t of tieCounts.values()) if (t > 1) tieTerm += t * (t * t - 1);
  const count = all.length;
  let mn = (count * (count + 1)) / 4;
  let se = count * (count + 1) * (2 * count + 1);
  if (zeroMethod === 'pratt') {
    mn -= (zeros * (zeros + 1)) / 4;
    se -= zeros * (zeros + 1) * (2 * zeros + 1);
  }
  se = Math.sqrt((se - tieTerm / 2) / 24);
  const n = zeroMethod === 'pratt' ? count - zeros : count;
  if (n === 0 || !(se > 0)) return { n, zeros, wPlus, wMinus, z: 0, p: 1 };
  const diff = wPlus - mn;
  const cc = options.continuity ? 0.5 * Math.sign(diff) : 0;
  const z = (diff - cc) / se;
  return { n, zeros, wPlus, wMinus, z, p: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/** P(Z > z) for a standard normal, accurate in the far tail (no 1 − Φ cancellation). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Complementary error function, Chebyshev fit (Numerical Recipes 3rd ed., §6.2.2 `erfccheb`):
 * relative error ≤ ~1e-14 against scipy.special.erfc from x = −3 to 26 (checked by hand; the test pins
 * a few values); erfc(−x) = 2 − erfc(x). Computing the tail directly keeps p-values of |z| = 30 finite.
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  const t = 2 / (2 + x);
  const ty = 4 * t - 2;
  let d = 0;
  let dd = 0;
  for (let j = ERFC_COEFFS.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + ERFC_COEFFS[j]!;
    dd = tmp;
  }
  return t * Math.exp(-x * x + 0.5 * (ERFC_COEFFS[0]! + ty * d) - dd);
}

const ERFC_COEFFS = [
  -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4,
  3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8,
  -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12,
  -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
];

/**
 * Percentile CI of a statistic of column means, resampling clusters with replacement: for
 * ratios of means such as M8's gap closed. `columns[j][i]` is column j at point i.
 */
export function clusterBootstrap(
  columns: readonly ArrayLike<number>[],
  cluster: ArrayLike<number>,
  statistic: (means: readonly number[]) => number,
  options: PairedOptions = {},
): Interval {
  const n = cluster.length;
  const J = columns.length;
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!index.has(cluster[i]!)) index.set(cluster[i]!, index.size);
  const C = index.size;
  if (C === 0) return { lo: Number.NaN, hi: Number.NaN };
  const count = new Float64Array(C);
  const sums = new Float64Array(C * J);
  for (let i = 0; i < n; i++) {
    const c = index.get(cluster[i]!)!;
    count[c]! += 1;
    for (let j = 0; j < J; j++) sums[c * J + j]! += columns[j]![i]!;
  }
  const B = options.replicates ?? 2000;
  const rng = new Mulberry32(scrambleSeed(options.seed ?? 0));
  const boot = new Float64Array(B);
  const acc = new Float64Array(J);
  for (let r = 0; r < B; r++) {
    acc.fill(0);
    let k = 0;
    for (let x = 0; x < C; x++) {
      const c = rng.int(C);
      k += count[c]!;
      for (let j = 0; j < J; j++) acc[j]! += sums[c * J + j]!;
    }
    boot[r] = statistic(Array.from(acc, (s) => s / k));
  }
  const finite = boot.filter(Number.isFinite).sort();
  const tail = (1 - (options.level ?? 0.95)) / 2;
  return { lo: sortedQuantile(finite, tail), hi: sortedQuantile(finite, 1 - tail) };
}
