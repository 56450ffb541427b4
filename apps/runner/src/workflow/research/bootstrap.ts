/**
 * How sure a search metric is, from the evaluator's per-tenant `units` (metrics.json): each unit
 * is one tenant's loss sum and count over its origins × metrics, and the metric is Σ sums / Σ
 * counts. The tenant is the resampling unit (a cluster bootstrap: a tenant's origins share its
 * history and are not independent), so an interval says how the metric would move on another
 * draw of tenants like these.
 *
 * Two statistics: the metric's own percentile interval (printed next to every result, to say how
 * big its noise is), and the paired interval of a difference between two experiments scored on
 * the same tenants (the keep rule: a candidate is better beyond noise when the whole interval of
 * candidate − best lies below zero). Paired, because most of a metric's spread is which tenants
 * are hard, and that cancels in a difference.
 *
 * The same cluster bootstrap over (tenant, origin) points is apps/experiments/src/stats.ts'
 * clusterBootstrap; this one starts from per-tenant sums because that is what an evaluator
 * writes (and what a shard merge can concatenate).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { fnv1a32, Mulberry32 } from '@tsfm/numerics';
import { parseJsonText } from '../../workdir/file-errors.js';

export const UnitSchema = z.strictObject({
  id: z.string().min(1),
  lossSum: z.number().refine(Number.isFinite, 'expected a finite number'),
  lossCount: z.number().int().positive(),
});

export type Unit = z.infer<typeof UnitSchema>;

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  readonly resamples?: number;
  /** Two-sided level (default 0.95). */
  readonly confidence?: number;
  /** Seed of the resampling; the default makes every interval reproducible from its inputs. */
  readonly seed?: number;
}

export interface Interval {
  /** The statistic on the units as given. */
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
}

export function unitsMetric(units: readonly Unit[]): number {
  let sum = 0;
  let count = 0;
  for (const unit of units) {
    sum += unit.lossSum;
    count += unit.lossCount;
  }
  return count === 0 ? NaN : sum / count;
}

/** The percentile interval of the metric, resampling tenants. */
export function metricInterval(units: readonly Unit[], options: BootstrapOptions = {}): Interval {
  return pairedOrSingle(units, undefined, options);
}

/**
 * The percentile interval of metric(candidate) − metric(reference), resampling tenants once per
 * replicate for both. Throws when the two were not scored on the same tenants: a difference over
 * different tenants says nothing about the experiments.
 */
export function differenceInterval(
  candidate: readonly Unit[],
  reference: readonly Unit[],
  options: BootstrapOptions = {},
): Interval {
  const byId = new Map(reference.map((unit) => [unit.id, unit]));
  const paired = candidate.map((unit) => byId.get(unit.id));
  const missing = candidate.filter((_, i) => paired[i] === undefined).map((unit) => unit.id);
  if (missing.length > 0 || candidate.length !== reference.length) {
    throw new Error(
      `not scored on the same tenants (${candidate.length} vs ${reference.length} units${missing.length > 0 ? `; ${missing.slice(0, 3).join(', ')} only in one` : ''})`,
    );
  }
  return pairedOrSingle(candidate, paired as Unit[], options);
}

/** The relative half-width of an interval around its estimate's reference value (for printing). */
export function relativeHalfWidth(interval: Interval, reference: number): number {
  return (interval.hi - interval.lo) / 2 / Math.abs(reference);
}

function pairedOrSingle(a: readonly Unit[], b: readonly Unit[] | undefined, options: BootstrapOptions): Interval {
  const n = a.length;
  if (n === 0) return { estimate: NaN, lo: NaN, hi: NaN };
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const sumA = Float64Array.from(a, (unit) => unit.lossSum);
  const countA = Float64Array.from(a, (unit) => unit.lossCount);
  const sumB = b ? Float64Array.from(b, (unit) => unit.lossSum) : undefined;
  const countB = b ? Float64Array.from(b, (unit) => unit.lossCount) : undefined;
  const statistic = (pick: (i: number) => number): number => {
    let sa = 0;
    let ca = 0;
    let sb = 0;
    let cb = 0;
    for (let i = 0; i < n; i++) {
      const j = pick(i);
      sa += sumA[j]!;
      ca += countA[j]!;
      if (sumB) {
        sb += sumB[j]!;
        cb += countB![j]!;
      }
    }
    return sumB ? sa / ca - sb / cb : sa / ca;
  };
  // Seeded from the units themselves: the same inputs always give the same interval.
  const random = new Mulberry32(options.seed ?? fnv1a32(a.map((unit) => unit.id).join('\n'), n));
  const replicates = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) replicates[r] = statistic(() => random.int(n));
  replicates.sort();
  const tail = (1 - confidence) / 2;
  return {
    estimate: statistic((i) => i),
    lo: percentile(replicates, tail),
    hi: percentile(replicates, 1 - tail),
  };
}

/** Linear interpolation between order statistics of an ascending array. */
function percentile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

const UnitsFileSchema = z.looseObject({ units: z.array(UnitSchema).optional() });

/**
 * The `units` of an evaluator's metrics.json; undefined when the file or the field is absent (an
 * evaluator that writes none). A malformed file is an error naming the file and field.
 */
export async function readUnitsFile(file: string): Promise<Unit[] | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  return parseJsonText(text, UnitsFileSchema, file).units;
}
