/**
 * Tuning on TUNING tenants only: score every config of the grid at each tuning tenant's origins
 * (grid-search.ts, in worker threads), then
 *  - the best fixed config: lowest mean scale-free α-loss over all tuning points (each tenant at
 *    its own tier's α), among configs that could serve every tuning point;
 *  - the best fixed config per tier (the same, within each tier) — a stronger fixed baseline;
 *  - the archetype store set (features of tuning tenants, full history and short windows) with,
 *    as each tenant's recorded winner, its best config over its tuning origins, credited once per
 *    origin (one record per tuning request, judged in hindsight on realised losses).
 * Nothing here ever reads an evaluation tenant: the tenant filter is the split's tuning side, and
 * assertSide throws on anything else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tier } from '@tsfm/losses';
import { TIERS } from '@tsfm/losses';
import { runTasks } from './pool.js';
import { originsOf, type Protocol } from './protocol.js';
import type { GridOutcome, RuntimeTask } from './runtime.js';
import { assertSide, type TenantSplit } from './split.js';
import { readFleetTenants, type EvalTenant } from './tenant-data.js';

export interface TuningOptions {
  readonly fleetDir: string;
  readonly modelPath: string;
  readonly split: TenantSplit;
  readonly protocol: Protocol;
  readonly workers: number;
  /** Where the archetype store set is written (null = do not build one). */
  readonly storeSetDir: string | null;
  /** Use at most this many tuning tenants (reduced runs); default all. */
  readonly maxTenants?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ConfigScore {
  readonly key: string;
  readonly meanLoss: number;
  /** Tuning points the config could serve. */
  readonly points: number;
}

export interface TuningResult {
  readonly tenants: number;
  readonly points: number;
  readonly configs: number;
  /** Best over all tuning points. */
  readonly best: ConfigScore;
  readonly bestByTier: Readonly<Record<Tier, ConfigScore>>;
  readonly defaultConfig: ConfigScore;
  /** Top configs by mean loss (feasible everywhere). */
  readonly ranking: readonly ConfigScore[];
  /** Configs that could not serve at least one tuning point (excluded from "best"). */
  readonly infeasibleConfigs: number;
  /** Distinct winners recorded in the store, and records. */
  readonly storeWinners: { readonly distinctConfigs: number; readonly records: number } | null;
  readonly storeSetDir: string | null;
  readonly tuningTenantIds: readonly string[];
  readonly wallSeconds: { readonly grid: number; readonly store: number };
}

export async function runTuning(options: TuningOptions): Promise<TuningResult> {
  const { split, protocol } = options;
  const wanted = split.tuning.slice(0, options.maxTenants ?? split.tuning.length);
  assertSide(split, wanted, 'tuning');
  const ids = new Set(wanted);
  const kept: EvalTenant[] = [];
  const keepForStore = options.storeSetDir !== null;
  async function* tasks(): AsyncGenerator<RuntimeTask> {
    for await (const tenant of readFleetTenants(options.fleetDir, ids)) {
      if (keepForStore) kept.push(tenant);
      const length = tenant.metrics[tenant.metricNames[0]].length;
      yield {
        kind: 'grid',
        task: {
          tenant,
          origins: originsOf(protocol, tenant.id, length, protocol.tuningOrigins),
          horizon: protocol.horizon,
          stepsPerDay: protocol.stepsPerDay,
        },
      };
    }
  }
  let done = 0;
  const t0 = performance.now();
  const results = await runTasks({ modelPath: options.modelPath, resolutions: null, methods: [] }, tasks(), {
    workers: options.workers,
    onResult: () => options.onProgress?.(++done, wanted.length),
  });
  const gridSeconds = (performance.now() - t0) / 1000;
  const outcomes = results.map((r) => {
    if (r.kind !== 'grid') throw new Error('tuning expected grid results');
    return r.outcome;
  });
  assertSide(
    split,
    outcomes.map((o) => o.tenantId),
    'tuning',
  );
  const summary = summariseGrid(outcomes);

  let storeWinners: TuningResult['storeWinners'] = null;
  const t1 = performance.now();
  if (options.storeSetDir !== null) {
    const { ArchetypeStoreSet } = await import('@tsfm/archetypes');
    const set = ArchetypeStoreSet.build(
      kept.map((t) => ({ id: t.id, archetype: t.archetype ?? 'unknown', tenant: t })),
    );
    let records = 0;
    const distinct = new Set<string>();
    for (const w of summary.tenantWinners) {
      for (let i = 0; i < w.count; i++) set.recordWinner(w.tenantId, w.key);
      records += w.count;
      distinct.add(w.key);
    }
    set.save(options.storeSetDir);
    storeWinners = { distinctConfigs: distinct.size, records };
  }
  return {
    tenants: outcomes.length,
    points: summary.points,
    configs: summary.keys.length,
    best: summary.best,
    bestByTier: summary.bestByTier,
    defaultConfig: summary.defaultScore,
    ranking: summary.ranking,
    infeasibleConfigs: summary.infeasibleConfigs,
    storeWinners,
    storeSetDir: options.storeSetDir,
    tuningTenantIds: outcomes.map((o) => o.tenantId),
    wallSeconds: { grid: gridSeconds, store: (performance.now() - t1) / 1000 },
  };
}

export interface GridSummary {
  readonly keys: readonly string[];
  readonly points: number;
  readonly best: ConfigScore;
  readonly bestByTier: Record<Tier, ConfigScore>;
  readonly defaultScore: ConfigScore;
  readonly ranking: ConfigScore[];
  readonly infeasibleConfigs: number;
  readonly tenantWinners: { tenantId: string; key: string; count: number }[];
}

/**
 * Means per config over the points of `outcomes` (optionally restricted to some tenants): the
 * selection rule for a fixed config. A config with a NaN at any scored point is infeasible there
 * and is not eligible (its mean over fewer points would not be comparable).
 */
export function summariseGrid(outcomes: readonly GridOutcome[]): GridSummary {
  if (outcomes.length === 0) throw new Error('no tuning tenants: cannot choose a fixed config');
  const defaultKey = outcomes[0].defaultKey;
  const keys = outcomes[0].keys;
  for (const o of outcomes)
    if (o.keys.join() !== keys.join()) throw new Error('tuning workers disagree on the config grid');
  const K = keys.length;
  const all = accumulate(outcomes, K);
  const byTier = {} as Record<Tier, ConfigScore>;
  for (const tier of Object.keys(TIERS) as Tier[]) {
    const inTier = outcomes.filter((o) => o.tier === tier);
    byTier[tier] = inTier.length === 0 ? bestOf(all, keys) : bestOf(accumulate(inTier, K), keys);
  }
  const ranking = keys
    .map((key, c) => ({ key, meanLoss: all.sum[c] / all.points, points: all.count[c] }))
    .filter((s) => s.points === all.points)
    .sort((a, b) => a.meanLoss - b.meanLoss);
  const d = keys.indexOf(defaultKey);
  const tenantWinners = outcomes.map((o) => {
    const single = accumulate([o], K);
    return { tenantId: o.tenantId, key: bestOf(single, keys).key, count: single.points };
  });
  return {
    keys,
    points: all.points,
    best: bestOf(all, keys),
    bestByTier: byTier,
    defaultScore:
      d < 0
        ? { key: defaultKey, meanLoss: Number.NaN, points: 0 }
        : { key: defaultKey, meanLoss: all.sum[d] / all.count[d], points: all.count[d] },
    ranking: ranking.slice(0, 20),
    infeasibleConfigs: keys.filter((_, c) => all.count[c] < all.points).length,
    tenantWinners,
  };
}

interface Sums {
  readonly sum: Float64Array;
  readonly count: Int32Array;
  /** Points where at least one config scored (scorable points). */
  readonly points: number;
}

function accumulate(outcomes: readonly GridOutcome[], K: number): Sums {
  const sum = new Float64Array(K);
  const count = new Int32Array(K);
  let points = 0;
  for (const o of outcomes) {
    const { losses, origins } = o.grid;
    for (let p = 0; p < origins; p++) {
      let any = false;
      for (let c = 0; c < K; c++) {
        const v = losses[p * K + c];
        if (Number.isFinite(v)) {
          sum[c] += v;
          count[c]++;
          any = true;
        }
      }
      if (any) points++;
    }
  }
  return { sum, count, points };
}

function bestOf(s: Sums, keys: readonly string[]): ConfigScore {
  let best = -1;
  for (let c = 0; c < keys.length; c++) {
    if (s.count[c] !== s.points) continue;
    if (best < 0 || s.sum[c] < s.sum[best]) best = c;
  }
  if (best < 0) throw new Error('no config could serve every tuning point');
  return { key: keys[best], meanLoss: s.sum[best] / s.points, points: s.points };
}

export function writeJson(dir: string, file: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(value, null, 1)}\n`);
  return path;
}
