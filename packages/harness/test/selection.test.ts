/**
 * Selection logic on a rigged forecaster whose outputs are known exactly: the winner, ties,
 * α (not the median) decides, scale-free averaging across metrics, per-metric mode, one batched
 * call with deduplicated rows, the latency budget, determinism.
 */
import { type ForecastConfig, type ForecastRow } from '@tsfm/tsfm-client';
import { describe, expect, it } from 'vitest';
import { CostModel, Harness, type HarnessRequest } from '../src/index.js';
import { pickLowest } from '../src/selection.js';
import { cfg, FREE, GRID, X, Y, Z } from './helpers/three-configs.js';
import { familyOf, FakeForecaster, flatMatrix, lastValue, naive, type Predict } from './helpers/fake-forecaster.js';
import { syntheticTenant, type TestTenant } from '../../../test-fixtures/tenants.js';
import { classicRequest } from './helpers/classic.js';

/** The true future of a validation row (the array holds it; the real model never looks). */
function truth(row: ForecastRow, t: number): number {
  const end = row.end ?? row.values.length;
  return end + t < row.values.length ? row.values[end + t] : lastValue(row);
}

/** Configs in `oracles` forecast the truth exactly (all quantiles); the rest forecast last value. */
function oracle(oracles: readonly ForecastConfig[]): Predict {
  const families = new Set(oracles.map(familyOf));
  return (row, levels) =>
    families.has(familyOf(row.config)) ? flatMatrix(row.horizon, levels, (t) => truth(row, t)) : naive(row, levels);
}

/** grid 'full': the whole default grid (512 configs); default: the small rigged GRID. */
async function harnessWith(
  predict: Predict,
  options: { grid?: readonly ForecastConfig[] | 'full'; cost?: CostModel } = {},
) {
  const fake = new FakeForecaster(predict);
  const grid = options.grid === 'full' ? undefined : (options.grid ?? GRID);
  const harness = await Harness.create(fake, {
    grid,
    costModel: options.cost ?? FREE(),
    // Only the latency-budget tests (which pass a cost model) enforce the budget: elsewhere K must not depend on load.
    budgetMode: options.cost ? 'enforce' : 'measure',
  });
  return { fake, harness };
}

const tenant = syntheticTenant(3000, 5);
const request = (over: Partial<HarnessRequest> = {}): HarnessRequest => classicRequest(tenant, over);

describe('winner selection', () => {
  it('picks the config known to be best on the validation window', async () => {
    const { harness } = await harnessWith(oracle([X]));
    const r = await harness.forecast(request());
    expect(r.path).toBe('search');
    expect(familyOf(r.winner.cpu.config)).toBe(familyOf(X));
    expect(r.tenantWinner).toBe(r.winner.cpu.key);
    expect(r.winner.cpu.score).toBe(0);
    for (const m of r.metrics) expect(r.winner[m].key).toBe(r.winner.cpu.key);
    // Every tried config has a score; the oracle's is 0, the rest positive.
    expect(
      r.tried.every((t) => t.score !== null && (familyOf(t.config) === familyOf(X) ? t.score === 0 : t.score > 0)),
    ).toBe(true);
  });

  it('forecasts with the winner: the α-quantile of its final forecast from the full history', async () => {
    const { harness } = await harnessWith(oracle([X]));
    const r = await harness.forecast(request());
    const last = tenant.metrics.net[tenant.metrics.net.length - 1];
    // The oracle forecasts the last value from the full history (no future to peek at).
    expect(Array.from(r.forecast.net)).toEqual(new Array(60).fill(last));
  });

  it('ties go to the default: identical forecasts from every config', async () => {
    const { harness } = await harnessWith(naive);
    const r = await harness.forecast(request());
    expect(r.winner.cpu.key).toBe(r.defaultKey);
    expect(new Set(r.tried.map((t) => t.score)).size).toBe(1);
  });

  it('a tie within 1e-12 relative goes to the default, a real improvement does not', () => {
    const base = 0.731;
    expect(pickLowest((c) => [base, base * (1 - 5e-13), base * 2][c], 3)).toEqual({ position: 0, tieToDefault: true });
    expect(pickLowest((c) => [base, base * (1 - 1e-9), base * 2][c], 3)).toEqual({ position: 1, tieToDefault: false });
    expect(pickLowest((c) => [Number.NaN, 2, 1][c], 3)).toEqual({ position: 2, tieToDefault: false });
    expect(pickLowest(() => Number.NaN, 3).position).toBe(-1);
    expect(pickLowest((c) => [0, 0][c], 2)).toEqual({ position: 0, tieToDefault: false });
  });

  it('scores the α-quantile, not the median: α = 0.9 and α = 0.5 pick different configs', async () => {
    // X's median is the truth but its 0.9-quantile is far above; Y's 0.9-quantile is the truth.
    const predict: Predict = (row, levels) => {
      const out = new Float32Array(row.horizon * levels.length);
      const f = familyOf(row.config);
      for (let t = 0; t < row.horizon; t++) {
        const y = truth(row, t);
        for (let k = 0; k < levels.length; k++) {
          const level = levels[k];
          let v = lastValue(row) * 3; // everyone else: far off
          if (f === familyOf(X)) v = y + (level - 0.5) * Math.abs(y) * 4;
          if (f === familyOf(Y)) v = y + (level - 0.9) * Math.abs(y) * 0.01;
          out[t * levels.length + k] = v;
        }
      }
      return out;
    };
    const { harness } = await harnessWith(predict);
    const high = await harness.forecast(request({ alpha: 0.9 }));
    const mid = await harness.forecast(request({ alpha: 0.5 }));
    expect(familyOf(high.winner.cpu.config)).toBe(familyOf(Y));
    expect(familyOf(mid.winner.cpu.config)).toBe(familyOf(X));
  });
});

describe('scale-free across metrics', () => {
  /** A is perfect except 2 scales off on net; B is perfect on mem and net, 1.5 scales off on cpu and disk. */
  function rigged(tenantUsed: TestTenant, scales: Record<string, number>): Predict {
    const nameOf = new Map(Object.entries(tenantUsed.metrics).map(([name, v]) => [v, name]));
    return (row, levels) => {
      const metric = nameOf.get(row.values)!;
      const f = familyOf(row.config);
      let offset = 10 * scales[metric]; // others: 10 scales off everywhere
      if (f === familyOf(X)) offset = metric === 'net' ? 2 * scales.net : 0;
      if (f === familyOf(Y)) offset = metric === 'cpu' || metric === 'disk' ? 1.5 * scales[metric] : 0;
      return flatMatrix(row.horizon, levels, (t) => truth(row, t) + offset);
    };
  }

  async function winnerFor(t: TestTenant) {
    const probe = await harnessWith(naive);
    const scales = Object.fromEntries(
      Object.entries((await probe.harness.forecast(request({ history: t }))).scales).map(([m, s]) => [m, s.value]),
    );
    const { harness } = await harnessWith(rigged(t, scales));
    return { r: await harness.forecast(request({ history: t })), scales };
  }

  it('the mean of scaled losses picks A; a raw-unit sum would have picked B (net bytes dominate)', async () => {
    const { r, scales } = await winnerFor(tenant);
    expect(familyOf(r.winner.cpu.config)).toBe(familyOf(X));
    const a = r.tried.find((t) => familyOf(t.config) === familyOf(X))!;
    const b = r.tried.find((t) => familyOf(t.config) === familyOf(Y))!;
    const raw = (t: typeof a) => r.metrics.reduce((s, m) => s + t.perMetric[m]! * scales[m], 0);
    expect(raw(a)).toBeGreaterThan(raw(b));
    expect(a.score).toBeLessThan(b.score!);
  });

  it('multiplying net by 1e6 does not change the winner or the scaled scores', async () => {
    const scaledTenant = { ...tenant, metrics: { ...tenant.metrics, net: tenant.metrics.net.map((v) => v * 1e6) } };
    const before = await winnerFor(tenant);
    const after = await winnerFor(scaledTenant);
    expect(after.r.winner.cpu.key).toBe(before.r.winner.cpu.key);
    for (let i = 0; i < before.r.tried.length; i++) {
      expect(after.r.tried[i].key).toBe(before.r.tried[i].key);
      expect(after.r.tried[i].score!).toBeCloseTo(before.r.tried[i].score!, 4);
    }
  });
});

describe('per-metric selection (request option)', () => {
  it('each metric takes its own best config', async () => {
    const nameOf = new Map(Object.entries(tenant.metrics).map(([name, v]) => [v, name]));
    const best: Record<string, ForecastConfig> = { cpu: X, mem: Y, net: Z, disk: X };
    const predict: Predict = (row, levels) =>
      familyOf(row.config) === familyOf(best[nameOf.get(row.values)!])
        ? flatMatrix(row.horizon, levels, (t) => truth(row, t))
        : naive(row, levels);
    const { harness } = await harnessWith(predict);
    const r = await harness.forecast(request({ options: { selection: 'per-metric' } }));
    expect(r.selection).toBe('per-metric');
    for (const m of r.metrics) expect(familyOf(r.winner[m].config)).toBe(familyOf(best[m]));
    const tenantMode = await harness.forecast(request());
    const winners = new Set(tenantMode.metrics.map((m) => tenantMode.winner[m].key));
    expect(winners.size).toBe(1);
  });
});

describe('one batched call, deduplicated rows', () => {
  it('exactly one forecastBatch call per request, holding validation AND final rows', async () => {
    const { fake, harness } = await harnessWith(naive, { grid: 'full' });
    const before = fake.calls;
    const r = await harness.forecast(request({ k: 32 }));
    expect(fake.calls - before).toBe(1);
    expect(r.forecasterCalls).toBe(1);
    const batch = fake.batches.at(-1)!;
    const n = tenant.metrics.cpu.length;
    expect(new Set(batch.map((row) => row.end))).toEqual(new Set([n, n - 60]));
    expect(batch.length).toBe(r.requestRows);
  });

  it('configs that differ only in post-processing share model rows; the result counts them', async () => {
    const { fake, harness } = await harnessWith(naive, { grid: 'full' });
    const r = await harness.forecast(request({ k: 8, options: { configsPerModelRow: 4 } }));
    expect(r.kUsed).toBe(8);
    expect(new Set(r.tried.map((t) => familyOf(t.config))).size).toBe(2);
    expect(r.requestRows).toBe(2 * 4 * 2); // 2 model inputs × 4 metrics × (1 validation + 1 final)
    expect(r.naiveRequestRows).toBe(8 * 4 * 2);
    const batch = fake.batches.at(-1)!;
    expect(r.modelRows).toBe(batch.reduce((s, row) => s + (row.config.flip ? 2 : 1), 0));
    // No two rows are the same model input.
    const keys = batch.map(
      (row) =>
        `${row.values === tenant.metrics.cpu}|${Object.values(tenant.metrics).indexOf(row.values)}|${row.end}|${familyOf(row.config)}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('configs whose context exceeds the history see the same input and share rows', async () => {
    // At 60-minute resolution 2,000 minutes hold 33 buckets (< 256 < 512): a 256-step and a
    // 512-step context (the default at r60) are the same model input.
    const a = cfg({ contextLength: 256, resolutionMinutes: 60 });
    const { harness } = await harnessWith(naive, { grid: [a] });
    const short = syntheticTenant(2000, 2);
    const r = await harness.forecast(request({ history: short, k: 5, options: { configsPerModelRow: 1 } }));
    const tried = r.tried.map((t) => t.key);
    expect(tried).toContain('ctx256-r60-none-flip0-clamp1-fix1');
    expect(tried).toContain('ctx512-r60-none-flip0-clamp1-fix1');
    expect(r.kUsed).toBe(5); // the default at r1, r5, r15, r60, and `a`
    // 4 distinct model inputs × 4 metrics × 2 origins; without dedupe 5 × 4 × 2.
    expect(r.requestRows).toBe(4 * 4 * 2);
    expect(r.naiveRequestRows).toBe(5 * 4 * 2);
  });
});

describe('rolling-origin validation windows', () => {
  it('W = 3: three validation origins h apart plus the final one, losses averaged over windows', async () => {
    const { fake, harness } = await harnessWith(oracle([X]));
    const r = await harness.forecast(request({ options: { validationWindows: 3 } }));
    const n = tenant.metrics.cpu.length;
    expect(new Set(fake.batches.at(-1)!.map((row) => row.end))).toEqual(new Set([n, n - 60, n - 120, n - 180]));
    expect(familyOf(r.winner.cpu.config)).toBe(familyOf(X));
    // The in-sample history for the scale ends before the earliest origin.
    expect(r.scales.cpu.m).toBe(60);
  });

  it('an all-NaN window is skipped for that metric only, and reported', async () => {
    const { harness } = await harnessWith(oracle([X]));
    const n = tenant.metrics.cpu.length;
    const mem = tenant.metrics.mem.slice();
    mem.fill(Number.NaN, n - 120, n - 60); // window 2 of mem
    const r = await harness.forecast(
      request({ history: { ...tenant, metrics: { ...tenant.metrics, mem } }, options: { validationWindows: 3 } }),
    );
    expect(r.path).toBe('search');
    expect(r.skipped).toEqual([expect.objectContaining({ metric: 'mem', window: 2 })]);
    expect(r.tried.every((t) => t.perMetric.mem !== null)).toBe(true);
  });
});

describe('latency budget', () => {
  it('lowers K so the predicted time fits, and says so', async () => {
    // A second per model row, and a budget of the first 4 configs' rows plus 0.9 s: whatever this
    // machine spends before the model call (well under 0.9 s), 4 configs fit and 32 do not.
    const { harness: probe } = await harnessWith(naive, { grid: 'full' });
    const rows4 = (await probe.forecast(request({ k: 4, budgetMs: 1e9 }))).modelRows;
    const cost = new CostModel({ fixedMs: 0, perRowMs: 1000, overheadMs: 0 });
    const { fake, harness } = await harnessWith(naive, { grid: 'full', cost });
    const r = await harness.forecast(request({ k: 32, budgetMs: 1000 * rows4 + 900 }));
    expect(r.kRequested).toBe(32);
    expect(r.kLowered).toBe(true);
    expect(r.kUsed).toBeLessThan(32);
    expect(r.kUsed).toBeGreaterThanOrEqual(4);
    expect(r.tried.length).toBe(r.kUsed);
    expect(r.budgetCut.length).toBe(32 - r.kUsed);
    expect(r.budget.predictedModelMs).toBeLessThanOrEqual(r.budget.availableModelMs);
    expect(r.budget.predictedModelMs).toBeCloseTo(1000 * r.modelRows, 6);
    expect(fake.batches.at(-1)!.length).toBe(r.requestRows);
    // The next config would not have fit: the same sample one config longer (prefixes of a seed's
    // sample are the sample at a smaller K), measured without a budget, needs more than was available.
    const { harness: unlimited } = await harnessWith(naive, { grid: 'full' });
    const next = await unlimited.forecast(request({ k: r.kUsed + 1, budgetMs: 1e9 }));
    expect(next.tried.map((t) => t.key).slice(0, r.kUsed)).toEqual(r.tried.map((t) => t.key));
    expect(1000 * next.modelRows).toBeGreaterThan(r.budget.availableModelMs);
  });

  it('an impossible budget still tries the default and returns a forecast', async () => {
    const cost = new CostModel({ fixedMs: 50, perRowMs: 1, overheadMs: 0 });
    const { harness } = await harnessWith(naive, { grid: 'full', cost });
    const r = await harness.forecast(request({ k: 32, budgetMs: 1 }));
    expect(r.kUsed).toBe(1);
    expect(r.kLowered).toBe(true);
    expect(r.winner.cpu.key).toBe(r.defaultKey);
    expect(r.forecast.cpu.length).toBe(60);
  });

  it("budgetMode 'measure' never lowers K, however slow the machine, and reports the overrun", async () => {
    // A cost model that predicts every call to take a second: 'enforce' would cut K to 1.
    const slow = (): CostModel => new CostModel({ fixedMs: 1000, perRowMs: 10, overheadMs: 0 });
    const fake = new FakeForecaster(naive);
    const measure = await Harness.create(fake, { costModel: slow(), budgetMode: 'measure' });
    const enforce = await Harness.create(fake, { costModel: slow() });
    const m = await measure.forecast(request({ k: 32, budgetMs: 20 }));
    const e = await enforce.forecast(request({ k: 32, budgetMs: 20 }));
    expect(e.kUsed).toBe(1);
    expect(m.kUsed).toBe(32);
    expect(m.kLowered).toBe(false);
    expect(m.budgetCut).toEqual([]);
    expect(m.budget.mode).toBe('measure');
    expect(e.budget.mode).toBe('enforce');
    expect(m.budget.overBudget).toBe(m.timings.total > 20);
    expect(m.budget.actualTotalMs).toBe(m.timings.total);
  });

  it("budgetMode 'measure' gives the same forecast as an unlimited budget", async () => {
    const fake = new FakeForecaster(oracle([X]));
    const measure = await Harness.create(fake, { costModel: FREE(), budgetMode: 'measure' });
    const unlimited = await Harness.create(fake, { costModel: FREE(), budgetMode: 'measure' });
    const a = await measure.forecast(request({ k: 24, budgetMs: 1 }));
    const b = await unlimited.forecast(request({ k: 24, budgetMs: 1e9 }));
    expect(a.tried.map((t) => t.key)).toEqual(b.tried.map((t) => t.key));
    expect(Array.from(a.forecast.net)).toEqual(Array.from(b.forecast.net));
  });

  it('refuses an unknown budgetMode', async () => {
    await expect(
      Harness.create(new FakeForecaster(naive), { costModel: FREE(), budgetMode: 'lax' as never }),
    ).rejects.toThrow(/budgetMode must be one of enforce, measure/);
  });

  it('a generous budget keeps K', async () => {
    const { harness } = await harnessWith(naive, {
      grid: 'full',
      cost: new CostModel({ fixedMs: 1, perRowMs: 0.01, overheadMs: 0 }),
    });
    const r = await harness.forecast(request({ k: 32, budgetMs: 1000 }));
    expect(r.kUsed).toBe(32);
    expect(r.kLowered).toBe(false);
    expect(r.budgetCut).toEqual([]);
  });
});

describe('determinism', () => {
  it('the same seed gives the same configs, winner and forecast; another seed another sample', async () => {
    const { harness } = await harnessWith(oracle([X]), { grid: 'full' });
    const a = await harness.forecast(request({ k: 12, seed: 11 }));
    const b = await harness.forecast(request({ k: 12, seed: 11 }));
    const c = await harness.forecast(request({ k: 12, seed: 12 }));
    expect(b.tried.map((t) => t.key)).toEqual(a.tried.map((t) => t.key));
    expect(b.tried.map((t) => t.score)).toEqual(a.tried.map((t) => t.score));
    expect(b.winner).toEqual(a.winner);
    expect(Array.from(b.forecast.mem)).toEqual(Array.from(a.forecast.mem));
    expect(c.tried.map((t) => t.key)).not.toEqual(a.tried.map((t) => t.key));
  });
});
