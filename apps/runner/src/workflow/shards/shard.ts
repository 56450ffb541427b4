/**
 * Sharding one evaluation over several jobs, and merging their metrics exactly.
 *
 * The convention an evaluator follows to take part (docs/cluster.md, "Sharding"):
 *   - it accepts `--shard i/N` (1-based, 1 ≤ i ≤ N, as in Jest and Playwright) and evaluates only
 *     the tenants at positions p (0-based, in its usual tenant order) with p mod N = i − 1 —
 *     strided rather than contiguous, so a fleet ordered by size or archetype spreads evenly;
 *   - with `--out <file>` it writes a shard metrics file (ShardMetricsSchema): the *sums* its
 *     metric is made of and every request's latency, never its own mean or percentile.
 *
 * Why sums: the metric is a mean over (tenant × metric) losses, and shards hold different numbers
 * of them (16 tenants over 3 shards is 6/5/5), so the mean of the shards' means is not the mean.
 * Σ lossSum / Σ lossCount is; and p99 needs the latencies themselves — a percentile of
 * percentiles is not the percentile. mergeShardMetrics gives what one unsharded run would have
 * printed, up to floating-point summation order (the sums are added with compensation).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseJsonText } from '../../workdir/file-errors.js';
import { UnitSchema, type Unit } from '../research/bootstrap.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** The most shards one evaluation may be split into: a guard against a typo, not a design limit. */
export const MAX_SHARDS = 1024;

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`--shard ${JSON.stringify(text)}: expected i/N, e.g. 2/4 (1-based)`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new Error(`--shard ${text}: N must be 1..${MAX_SHARDS}`);
  if (index < 1 || index > count)
    throw new Error(`--shard ${text}: i must be 1..${count} (shards are numbered from 1)`);
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** Every shard of an N-way split, in order: what a launcher submits, one job each. */
export function allShards(count: number): Shard[] {
  parseShard(`1/${count}`);
  return Array.from({ length: count }, (_, n) => ({ index: n + 1, count }));
}

/** The items (tenants) one shard evaluates: positions p with p mod N = i − 1, in their order. */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, position) => position % shard.count === shard.index - 1);
}

/** Where shard i of N writes its metrics: runs/<id>/shards/metrics-<i>-of-<N>.json. */
export function shardMetricsPath(runDir: string, shard: Shard): string {
  return join(runDir, 'shards', `metrics-${shard.index}-of-${shard.count}.json`);
}

/**
 * The evaluator's arguments for one shard: the usual ones plus `--shard i/N`, `--out` redirected.
 * Only shard 1 keeps `--fan` (the report's forecast fans): N jobs writing one file would race.
 */
export function shardArgs(args: readonly string[], shard: Shard, runDir: string): string[] {
  let rest = withoutOption(args, '--out');
  if (shard.index > 1) rest = withoutOption(rest, '--fan');
  return [...rest, '--shard', formatShard(shard), '--out', shardMetricsPath(runDir, shard)];
}

function withoutOption(args: readonly string[], option: string): string[] {
  const at = args.indexOf(option);
  return at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : [...args];
}

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

/** Loose: the evaluator's other fields (mode, params, model…) pass through to the merged file. */
export const ShardMetricsSchema = z.looseObject({
  /** `i/N`, as given on the command line. */
  shard: z.string().regex(/^\d+\/\d+$/, 'expected i/N'),
  /** Σ of the scored losses (every tenant × metric of the shard's requests). */
  lossSum: finite,
  /** How many losses lossSum adds up. */
  lossCount: z.number().int().nonnegative(),
  /** Forecast points scored. */
  points: z.number().int().nonnegative(),
  /** Requests that failed. */
  dropped: z.number().int().nonnegative(),
  /** Every completed request's latency (ms), in any order. */
  latenciesMs: z.array(finite),
  /** Requests over the latency budget, where the evaluator counts them. */
  overBudget: z.number().int().nonnegative().optional(),
  /** The latency budget per request (ms), where the evaluator has one; the same in every shard. */
  budgetMs: z.number().positive().optional(),
  /** Per-tenant loss sums of the shard's tenants (research/bootstrap.ts), in its tenant order. */
  units: z.array(UnitSchema).optional(),
  /** Per-request detail, in the shard's tenant order (merged back into the fleet's order). */
  requests: z.array(z.unknown()).optional(),
  /** CPU seconds the shard's process used, where the evaluator measures it. */
  cpuS: z.number().nonnegative().optional(),
});

export type ShardMetrics = z.infer<typeof ShardMetricsSchema>;

export interface MergedMetrics {
  /** Σ lossSum / Σ lossCount; NaN when nothing was scored (as the evaluator prints it). */
  readonly metric: number;
  /** Nearest-rank p99 over all shards' latencies, the evaluator's own formula; NaN when none. */
  readonly latencyMsP99: number;
  readonly points: number;
  readonly dropped: number;
  /** Σ overBudget; null when no shard counted it. */
  readonly overBudget: number | null;
  readonly budgetMs: number | null;
  /** Every shard's units, in the fleet's tenant order; null unless every shard wrote them. */
  readonly units: Unit[] | null;
  readonly requests: number;
  readonly shards: number;
  /** Σ cpuS: CPU adds up over shards (wall time does not); null unless every shard measured it. */
  readonly cpuS: number | null;
}

/**
 * Combines the metrics files of all N shards of one evaluation. Refuses an incomplete or mixed set
 * (a missing shard, one twice, different N): a metric over part of the tenants would look valid
 * and be incomparable with every other experiment's.
 */
export function mergeShardMetrics(parts: readonly ShardMetrics[]): MergedMetrics {
  if (parts.length === 0) throw new Error('no shard metrics to merge');
  const shards = parts.map((part) => parseShard(part.shard));
  const count = shards[0].count;
  const mixed = shards.filter((shard) => shard.count !== count);
  if (mixed.length > 0)
    throw new Error(`shard metrics from different splits: ${[...new Set(parts.map((p) => p.shard))].join(', ')}`);
  const seen = new Map<number, number>();
  for (const shard of shards) seen.set(shard.index, (seen.get(shard.index) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([index]) => `${index}/${count}`);
  if (twice.length > 0) throw new Error(`shard(s) ${twice.join(', ')} given more than once`);
  const missing = allShards(count)
    .filter((shard) => !seen.has(shard.index))
    .map(formatShard);
  if (missing.length > 0)
    throw new Error(`shard(s) ${missing.join(', ')} missing: the metric over part of the tenants is not comparable`);

  const budgets = new Set(parts.flatMap((part) => (part.budgetMs === undefined ? [] : [part.budgetMs])));
  if (budgets.size > 1) throw new Error(`shards report different latency budgets: ${[...budgets].join(', ')} ms`);
  const lossCount = parts.reduce((sum, part) => sum + part.lossCount, 0);
  const latencies = parts.flatMap((part) => part.latenciesMs).sort((a, b) => a - b);
  const shardUnits = inShardOrder(parts).map((part) => part.units);
  return {
    metric: lossCount === 0 ? NaN : compensatedSum(parts.map((part) => part.lossSum)) / lossCount,
    latencyMsP99: nearestRank(latencies, 0.99),
    points: parts.reduce((sum, part) => sum + part.points, 0),
    dropped: parts.reduce((sum, part) => sum + part.dropped, 0),
    overBudget: parts.some((part) => part.overBudget !== undefined)
      ? parts.reduce((sum, part) => sum + (part.overBudget ?? 0), 0)
      : null,
    budgetMs: parts.find((part) => part.budgetMs !== undefined)?.budgetMs ?? null,
    units: shardUnits.every((units) => units !== undefined) ? interleave(shardUnits) : null,
    requests: latencies.length,
    shards: count,
    cpuS: parts.every((part) => part.cpuS !== undefined)
      ? parts.reduce((sum, part) => sum + (part.cpuS ?? 0), 0)
      : null,
  };
}

/**
 * Reads and checks runs/<id>/shards/metrics-*-of-<count>.json, in shard order; errors name the file
 * and field. Every file is read before judging, so the error is the same whatever order the reads
 * finish in: all the shards that wrote nothing, else the first (in shard order) that is invalid.
 */
export async function readShardMetricsFiles(runDir: string, count: number): Promise<ShardMetrics[]> {
  const shards = allShards(count);
  const texts = await Promise.all(
    shards.map((shard) =>
      readFile(shardMetricsPath(runDir, shard), 'utf8').catch((error: NodeJS.ErrnoException) => error),
    ),
  );
  const missing = shards.filter((_, s) => texts[s] instanceof Error && texts[s].code === 'ENOENT');
  if (missing.length > 0) {
    const files = missing.map((shard) => shardMetricsPath(runDir, shard)).join(', ');
    throw new Error(`shard ${missing.map(formatShard).join(', ')} wrote no metrics (${files})`);
  }
  return shards.map((shard, s) => {
    const file = shardMetricsPath(runDir, shard);
    const text = texts[s];
    if (text instanceof Error) throw new Error(`${file}: ${text.message}`);
    const part = parseJsonText(text, ShardMetricsSchema, file);
    if (part.shard !== formatShard(shard))
      throw new Error(`${file}: holds shard ${part.shard}, expected ${formatShard(shard)}`);
    return part;
  });
}

/** Reads and merges the metrics files of all `count` shards of one evaluation. */
export async function mergeShardMetricsFiles(runDir: string, count: number): Promise<MergedMetrics> {
  return mergeShardMetrics(await readShardMetricsFiles(runDir, count));
}

/**
 * The merged evaluation as one metrics file (runs/<id>/metrics.json), shaped like an unsharded
 * evaluator's: the merged numbers, the fields every shard shares (mode, params, model…) from shard
 * 1, and the per-request detail put back in the fleet's order — shard i's j-th request was the
 * tenant at position j·N + i − 1 when none was dropped — so readers of metrics.json need not know it was sharded.
 */
export function mergedMetricsDetail(parts: readonly ShardMetrics[], merged: MergedMetrics): Record<string, unknown> {
  const ordered = inShardOrder(parts);
  const requests: unknown[] = [];
  ordered.forEach((part, s) =>
    (part.requests ?? []).forEach((request, j) => (requests[j * merged.shards + s] = request)),
  );
  // elapsedS and phases are one shard's times, not the evaluation's: left out rather than misread
  // (cpuS, which does add up, is the merged sum).
  const {
    shard: _shard,
    lossSum: _sum,
    lossCount: _count,
    latenciesMs: _latencies,
    requests: _requests,
    units: _units,
    elapsedS: _elapsed,
    phases: _phases,
    cpuS: _cpu,
    ...shared
  } = ordered[0] ?? ({} as Partial<ShardMetrics>);
  return {
    ...shared,
    metric: merged.metric,
    latencyMsP99: merged.latencyMsP99,
    points: merged.points,
    dropped: merged.dropped,
    ...(merged.overBudget === null ? {} : { overBudget: merged.overBudget }),
    ...(merged.units === null ? {} : { units: merged.units }),
    ...(merged.cpuS === null ? {} : { cpuS: merged.cpuS }),
    shards: ordered.map((part) => ({
      shard: part.shard,
      lossSum: part.lossSum,
      lossCount: part.lossCount,
      requests: part.latenciesMs.length,
      dropped: part.dropped,
    })),
    // A shard whose requests were dropped leaves holes; a metrics file has no holes.
    requests: requests.filter((request) => request !== undefined),
  };
}

/** The result block the runner reads from a job's log (evaluator-output.ts), for merged metrics. */
export function resultBlock(merged: MergedMetrics): string {
  return [
    '---',
    `metric:          ${merged.metric.toFixed(6)}`,
    `latency_p99_ms:  ${merged.latencyMsP99.toFixed(3)}`,
    `points:          ${merged.points}`,
    `dropped:         ${merged.dropped}`,
    ...(merged.budgetMs === null ? [] : [`budget_ms:       ${merged.budgetMs}`]),
    ...(merged.overBudget === null ? [] : [`over_budget:     ${merged.overBudget}`]),
    ...(merged.cpuS === null ? [] : [`cpu_s:           ${merged.cpuS.toFixed(2)}`]),
    `shards:          ${merged.shards}`,
    '',
  ].join('\n');
}

function inShardOrder(parts: readonly ShardMetrics[]): ShardMetrics[] {
  return [...parts].sort((a, b) => parseShard(a.shard).index - parseShard(b.shard).index);
}

/**
 * Lists in shard order (shard i's j-th entry was the item at fleet position j·N + i − 1) put back
 * in fleet order. The parts must be sorted by shard index.
 */
function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  lists.forEach((list, s) => list.forEach((item, j) => (out[j * lists.length + s] = item)));
  return out.filter((item) => item !== undefined);
}

/** The evaluator's p99: sorted[min(n − 1, ⌈0.99 n⌉ − 1)]. Expects `sorted` ascending. */
function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Neumaier's summation: shard sums can differ by orders of magnitude, and order must not matter. */
function compensatedSum(values: readonly number[]): number {
  let sum = 0;
  let compensation = 0;
  for (const value of values) {
    const t = sum + value;
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - t + value : value - t + sum;
    sum = t;
  }
  return sum + compensation;
}
