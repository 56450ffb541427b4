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
import { parseJsonText } from '../workdir/file-errors.js';

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
  if (index < 1 || index > count) throw new Error(`--shard ${text}: i must be 1..${count} (shards are numbered from 1)`);
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

/** The evaluator's arguments for one shard: the usual ones plus `--shard i/N`, `--out` redirected. */
export function shardArgs(args: readonly string[], shard: Shard, runDir: string): string[] {
  const out = args.indexOf('--out');
  const rest = out >= 0 ? [...args.slice(0, out), ...args.slice(out + 2)] : [...args];
  return [...rest, '--shard', formatShard(shard), '--out', shardMetricsPath(runDir, shard)];
}

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

export const ShardMetricsSchema = z.object({
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
});

export type ShardMetrics = z.infer<typeof ShardMetricsSchema>;

export interface MergedMetrics {
  /** Σ lossSum / Σ lossCount; NaN when nothing was scored (as the evaluator prints it). */
  readonly metric: number;
  /** Nearest-rank p99 over all shards' latencies, the evaluator's own formula; NaN when none. */
  readonly latencyMsP99: number;
  readonly points: number;
  readonly dropped: number;
  readonly requests: number;
  readonly shards: number;
}

/**
 * Combines the metrics files of all N shards of one evaluation. Refuses an incomplete or mixed set
 * (a missing shard, one twice, different N): a metric over part of the tenants would look valid
 * and be incomparable with every other experiment's.
 */
export function mergeShardMetrics(parts: readonly ShardMetrics[]): MergedMetrics {
  if (parts.length === 0) throw new Error('no shard metrics to merge');
  const shards = parts.map((part) => parseShard(part.shard));
  const count = shards[0]!.count;
  const mixed = shards.filter((shard) => shard.count !== count);
  if (mixed.length > 0) throw new Error(`shard metrics from different splits: ${[...new Set(parts.map((p) => p.shard))].join(', ')}`);
  const seen = new Map<number, number>();
  for (const shard of shards) seen.set(shard.index, (seen.get(shard.index) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([index]) => `${index}/${count}`);
  if (twice.length > 0) throw new Error(`shard(s) ${twice.join(', ')} given more than once`);
  const missing = allShards(count).filter((shard) => !seen.has(shard.index)).map(formatShard);
  if (missing.length > 0) throw new Error(`shard(s) ${missing.join(', ')} missing: the metric over part of the tenants is not comparable`);

  const lossCount = parts.reduce((sum, part) => sum + part.lossCount, 0);
  const latencies = parts.flatMap((part) => part.latenciesMs).sort((a, b) => a - b);
  return {
    metric: lossCount === 0 ? NaN : compensatedSum(parts.map((part) => part.lossSum)) / lossCount,
    latencyMsP99: nearestRank(latencies, 0.99),
    points: parts.reduce((sum, part) => sum + part.points, 0),
    dropped: parts.reduce((sum, part) => sum + part.dropped, 0),
    requests: latencies.length,
    shards: count,
  };
}

/** Reads and merges runs/<id>/shards/metrics-*-of-<count>.json; errors name the file and field. */
export async function mergeShardMetricsFiles(runDir: string, count: number): Promise<MergedMetrics> {
  const parts = await Promise.all(
    allShards(count).map(async (shard) => {
      const file = shardMetricsPath(runDir, shard);
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new Error(error.code === 'ENOENT' ? `shard ${formatShard(shard)} wrote no metrics (${file})` : `${file}: ${error.message}`);
      });
      const part = parseJsonText(text, ShardMetricsSchema, file);
      if (part.shard !== formatShard(shard)) throw new Error(`${file}: holds shard ${part.shard}, expected ${formatShard(shard)}`);
      return part;
    }),
  );
  return mergeShardMetrics(parts);
}

/** The result block the runner reads from a job's log (evaluator-output.ts), for merged metrics. */
export function resultBlock(merged: MergedMetrics): string {
  return [
    '---',
    `metric:          ${merged.metric.toFixed(6)}`,
    `latency_p99_ms:  ${merged.latencyMsP99.toFixed(3)}`,
    `points:          ${merged.points}`,
    `dropped:         ${merged.dropped}`,
    `shards:          ${merged.shards}`,
    '',
  ].join('\n');
}

/** The evaluator's p99: sorted[min(n − 1, ⌈0.99 n⌉ − 1)]. Expects `sorted` ascending. */
function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
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
