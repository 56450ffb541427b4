/**
 * Sharding an evaluation over several Slurm jobs: the split covers every tenant exactly once, and
 * merging the shards' metrics files gives what one unsharded run would have printed — the mean of
 * all losses and the p99 of all latencies — not an average of the shards' averages.
 *
 * The shard outputs are synthetic (the tiny evaluator does not take --shard yet), generated from
 * a seeded fleet of per-request losses and latencies, and written with exactly the evaluator's
 * conventions (shard.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseResultBlock } from '../src/workflow/experiment/evaluator-output.js';
import {
  allShards,
  formatShard,
  mergeShardMetrics,
  mergeShardMetricsFiles,
  mergedMetricsDetail,
  parseShard,
  resultBlock,
  shardArgs,
  shardItems,
  shardMetricsPath,
  type Shard,
  type ShardMetrics,
} from '../src/workflow/shards/shard.js';
import { mulberry32 } from '@tsfm/numerics';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

interface Request {
  readonly tenant: number;
  readonly losses: readonly number[];
  readonly latencyMs: number;
}

/** A fleet whose requests differ wildly in size, so a mean of shard means would be visibly off. */
function syntheticRequests(seed: number, tenants: number): Request[] {
  const random = mulberry32(seed);
  return Array.from({ length: tenants }, (_, tenant) => ({
    tenant,
    // 1..6 metrics per tenant: shards then hold different numbers of losses.
    losses: Array.from({ length: 1 + Math.floor(random() * 6) }, () => random() * (tenant % 3 === 0 ? 10 : 0.1)),
    latencyMs: random() * 50 + (tenant % 5 === 0 ? 400 : 0),
  }));
}

/** What an evaluator given `--shard i/N` writes, per the convention in shard.ts. */
function shardOutput(requests: readonly Request[], shard: Shard): ShardMetrics {
  const mine = shardItems(requests, shard);
  const losses = mine.flatMap((r) => r.losses);
  return {
    shard: formatShard(shard),
    lossSum: losses.reduce((a, b) => a + b, 0),
    lossCount: losses.length,
    points: losses.length * 60,
    dropped: 0,
    latenciesMs: mine.map((r) => r.latencyMs),
  };
}

/** The unsharded evaluator's own numbers (templates/tiny/evaluate.ts's formulas). */
function unsharded(requests: readonly Request[]) {
  const losses = requests.flatMap((r) => r.losses);
  const latencies = requests.map((r) => r.latencyMs).sort((a, b) => a - b);
  return {
    metric: losses.reduce((a, b) => a + b, 0) / losses.length,
    p99: latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)],
    points: losses.length * 60,
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('splitting', () => {
  it('parses i/N (1-based) and rejects what is not a shard, with the reason', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('0/4')).toThrow(/i must be 1\.\.4 \(shards are numbered from 1\)/);
    expect(() => parseShard('5/4')).toThrow(/i must be 1\.\.4/);
    expect(() => parseShard('1/0')).toThrow(/N must be 1\.\./);
    expect(() => parseShard('2-4')).toThrow(/expected i\/N/);
  });

  it('every tenant lands in exactly one shard, strided, for every N up to the fleet size and beyond', () => {
    const tenants = Array.from({ length: 17 }, (_, n) => n);
    for (let count = 1; count <= 20; count++) {
      const parts = allShards(count).map((shard) => shardItems(tenants, shard));
      expect(parts.flat().sort((a, b) => a - b)).toEqual(tenants);
      // Strided: sizes differ by at most one, so no shard is the straggler by construction.
      const sizes = parts.map((part) => part.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(shardItems(tenants, { index: 2, count: 4 })).toEqual([1, 5, 9, 13]);
  });

  it('shard arguments: the evaluator’s own, plus --shard, with --out moved to the shard’s file', () => {
    const args = ['evaluate.ts', '--params', 'params.json', '--data', '/d', '--out', '/w/runs/e1/metrics.json'];
    expect(shardArgs(args, { index: 3, count: 8 }, '/w/runs/e1')).toEqual([
      'evaluate.ts',
      '--params',
      'params.json',
      '--data',
      '/d',
      '--shard',
      '3/8',
      '--out',
      '/w/runs/e1/shards/metrics-3-of-8.json',
    ]);
  });
});

describe('merging shard metrics', () => {
  it('equals the unsharded metric, p99 and points for any number of shards (seeded fleets)', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const requests = syntheticRequests(seed, 5 + (seed % 40));
      const whole = unsharded(requests);
      for (const count of [1, 2, 3, 4, 7, 16]) {
        const merged = mergeShardMetrics(allShards(count).map((shard) => shardOutput(requests, shard)));
        expect(merged.metric).toBeCloseTo(whole.metric, 12);
        expect(merged.latencyMsP99).toBe(whole.p99); // a selection, not arithmetic: bit-exact
        expect(merged.points).toBe(whole.points);
        expect(merged.requests).toBe(requests.length);
        expect(merged.dropped).toBe(0);
      }
    }
  });

  it('is not the average of the shards’ averages (which is what it must not compute)', () => {
    const requests = syntheticRequests(7, 16);
    const parts = allShards(3).map((shard) => shardOutput(requests, shard));
    const meanOfMeans = parts.reduce((sum, p) => sum + p.lossSum / p.lossCount, 0) / parts.length;
    const merged = mergeShardMetrics(parts);
    expect(merged.metric).toBeCloseTo(unsharded(requests).metric, 12);
    expect(Math.abs(meanOfMeans - merged.metric)).toBeGreaterThan(1e-3);
  });

  it('does not depend on the order shards finish in', () => {
    const requests = syntheticRequests(3, 30);
    const parts = allShards(5).map((shard) => shardOutput(requests, shard));
    const forward = mergeShardMetrics(parts);
    const backward = mergeShardMetrics([...parts].reverse());
    expect(backward.metric).toBe(forward.metric);
    expect(backward.latencyMsP99).toBe(forward.latencyMsP99);
  });

  it('sums dropped requests, so the runner still refuses a run that dropped any', () => {
    const requests = syntheticRequests(4, 8);
    const parts = allShards(2).map((shard) => shardOutput(requests, shard));
    const merged = mergeShardMetrics([parts[0], { ...parts[1], dropped: 2 }]);
    expect(merged.dropped).toBe(2);
  });

  it('sums CPU seconds over shards (they add up, wall times do not) and leaves out per-shard times', () => {
    const requests = syntheticRequests(6, 9);
    const parts = allShards(3).map((shard, s) => ({
      ...shardOutput(requests, shard),
      cpuS: 1.25 + s,
      elapsedS: 9 + s,
      phases: [{ phase: 'requests', wallS: 8, cpuS: 1 }],
    }));
    const merged = mergeShardMetrics(parts);
    expect(merged.cpuS).toBe(1.25 + 2.25 + 3.25);
    expect(parseResultBlock(resultBlock(merged))?.['cpu_s']).toBe('6.75');
    const detail = mergedMetricsDetail(parts, merged);
    expect(detail['cpuS']).toBe(6.75);
    expect(detail).not.toHaveProperty('elapsedS');
    expect(detail).not.toHaveProperty('phases');
    // One shard without it: no sum that would read as the whole evaluation's.
    const partial = mergeShardMetrics([parts[0], parts[1], shardOutput(requests, { index: 3, count: 3 })]);
    expect(partial.cpuS).toBeNull();
    expect(resultBlock(partial)).not.toContain('cpu_s');
  });

  it('refuses a missing shard, a shard given twice, and shards of different splits', () => {
    const requests = syntheticRequests(5, 12);
    const parts = allShards(4).map((shard) => shardOutput(requests, shard));
    expect(() => mergeShardMetrics(parts.slice(0, 3))).toThrow(/shard\(s\) 4\/4 missing/);
    expect(() => mergeShardMetrics([...parts, parts[1]])).toThrow(/2\/4 given more than once/);
    expect(() => mergeShardMetrics([...parts.slice(0, 3), shardOutput(requests, { index: 1, count: 3 })])).toThrow(
      /different splits/,
    );
    expect(() => mergeShardMetrics([])).toThrow(/no shard metrics/);
  });

  it('reads the shard files from runs/<id>/shards and prints a result block the runner parses', async () => {
    const runDir = tempDir('slurm-shards-');
    dirs.push(runDir);
    mkdirSync(join(runDir, 'shards'));
    const requests = syntheticRequests(9, 16);
    for (const shard of allShards(3))
      writeFileSync(shardMetricsPath(runDir, shard), JSON.stringify(shardOutput(requests, shard)));
    const merged = await mergeShardMetricsFiles(runDir, 3);
    const fields = parseResultBlock(`progress…\n${resultBlock(merged)}`)!;
    expect(Number(fields['metric'])).toBeCloseTo(unsharded(requests).metric, 6);
    expect(fields['dropped']).toBe('0');
    expect(fields['shards']).toBe('3');

    await expect(mergeShardMetricsFiles(runDir, 4)).rejects.toThrow(
      /^shard 1\/4, 2\/4, 3\/4, 4\/4 wrote no metrics \(/,
    );
    writeFileSync(
      shardMetricsPath(runDir, { index: 2, count: 3 }),
      JSON.stringify({ ...shardOutput(requests, { index: 2, count: 3 }), lossCount: -1 }),
    );
    await expect(mergeShardMetricsFiles(runDir, 3)).rejects.toThrow(/metrics-2-of-3\.json: lossCount: /);
  });
});
