/**
 * Racing (options.racing, racing.ts): which windows the first round scores, that racing which
 * drops nothing changes nothing, that the survivors are the first round's best model inputs (the
 * default's always among them) and only they get the other windows and a final forecast, and
 * that a bad setting is refused with the field named.
 */
import type { ForecastRow } from '@tsfm/tsfm-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CostModel,
  Harness,
  firstRoundOrigins,
  parseRacing,
  type HarnessRequest,
  type HarnessResult,
} from '../src/index.js';
import { survivingFamilies, survivorsBesidesDefault } from '../src/racing.js';
import { ScoreStatus, type Scores } from '../src/scoring.js';
import { FakeForecaster, familyOf, flatMatrix, lastValue, naive, type Predict } from './helpers/fake-forecaster.js';
import { FREE } from './helpers/three-configs.js';
import { syntheticTenant } from '../../../test-fixtures/tenants.js';

const tenant = syntheticTenant(12_000, 11);

/** The harness's defaults (tail and same-time windows, members, calibration) with K = 32. */
const request = (options: NonNullable<HarnessRequest['options']> = {}): HarnessRequest => ({
  history: tenant,
  horizon: 60,
  tier: 'premium',
  k: 32,
  seed: 5,
  options,
});

/** The true future of a validation row (the array holds it); the last value for the final row. */
function truth(row: ForecastRow, t: number): number {
  const end = row.end ?? row.values.length;
  return end + t < row.values.length ? row.values[end + t] : lastValue(row);
}

/**
 * The truth × (1 + the model input's own bias): every window ranks the model inputs the same way,
 * so the first round's ranking is the full search's. `bias` gets the row; every model input a
 * different one (no ties for the sample order to break).
 */
const biasedOracle =
  (bias: (row: ForecastRow) => number): Predict =>
  (row, levels) => {
    const { resolutionMinutes, normalisation, flip } = row.config;
    const own = resolutionMinutes * 1e-3 + normalisation.length * 1e-4 + (flip ? 5e-5 : 0);
    return flatMatrix(row.horizon, levels, (t) => truth(row, t) * (1 + bias(row) + own));
  };

/** Long contexts better for every metric. */
const biased = biasedOracle((row) => (512 - row.config.contextLength) / 512);

async function harnessWith(predict: Predict): Promise<{ harness: Harness; forecaster: FakeForecaster }> {
  const forecaster = new FakeForecaster(predict);
  return { harness: await Harness.create(forecaster, { costModel: FREE(), budgetMode: 'measure' }), forecaster };
}

/** What a result says about the forecast, without timings and the racing report. */
const essence = (r: HarnessResult) => ({
  forecast: r.forecast,
  quantiles: r.quantiles,
  peak: r.peak,
  winner: r.winner,
  tried: r.tried,
  calibration: r.calibration,
});

describe('firstRoundOrigins', () => {
  it('picks min(windows, W) validation origins, never the final one, the latest and the earliest included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (W, windows) => {
        const mask = firstRoundOrigins(W, windows);
        expect(mask.length).toBe(W + 1);
        expect(mask[0]).toBe(0);
        expect(mask.reduce((a, b) => a + b, 0)).toBe(Math.min(W, windows));
        expect(mask[1]).toBe(1);
        if (windows >= 2) expect(mask[W]).toBe(1);
      }),
    );
  });

  it('spreads three windows over nine: the latest, the middle, the earliest', () => {
    expect([...firstRoundOrigins(9, 3)]).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('parseRacing (the command lines’ --racing)', () => {
  it('reads W,S and off, and refuses anything else with what it accepts', () => {
    expect(parseRacing('3,4')).toEqual({ windows: 3, survivors: 4 });
    expect(parseRacing('off')).toBeNull();
    for (const bad of ['0,4', '4', '3,4,5', '3,x', '65,1', ''])
      expect(() => parseRacing(bad)).toThrow(/must be W,S \(first-round windows and survivors, 1–64 each\) or off/);
  });
});

describe('survivingFamilies', () => {
  it('keeps every family when the first round has no evidence at all, else the default’s and the best', async () => {
    const { harness } = await harnessWith(biased);
    const space = harness.space;
    // One config of each of the first six families, the first of them standing in for the default.
    const used = space.families.slice(0, 6).map((f) => f.members[0]);
    const M = 2;
    const scores = (loss: (c: number, m: number) => number): Scores => {
      const K = used.length;
      const out = {
        loss: new Float64Array(K * M),
        status: new Uint8Array(K * M),
        windowLoss: new Float64Array(K * M * 2).fill(Number.NaN),
        windowsPerMetric: Int32Array.from({ length: M }, () => 1),
      };
      for (let c = 0; c < K; c++)
        for (let m = 0; m < M; m++) {
          const l = loss(c, m);
          out.loss[c * M + m] = l;
          out.status[c * M + m] = l === l ? ScoreStatus.Scored : ScoreStatus.Incomplete;
        }
      return out;
    };
    const families = (keep: Uint8Array) => [...keep.keys()].filter((f) => keep[f] === 1);
    const input = { space, used, metricCount: M, selection: 'per-tenant' as const, survivors: 2 };
    // No finite score anywhere: no evidence to race on, every family goes on.
    expect(families(survivingFamilies({ ...input, scores: scores(() => Number.NaN) }))).toEqual([0, 1, 2, 3, 4, 5]);
    // Scores: the default's family and the two best others (positions 4 and 2).
    const ranked = [9, 5, 2, 7, 1, 8];
    const kept = survivingFamilies({ ...input, scores: scores((c) => ranked[c]) });
    expect(families(kept)).toEqual([0, 2, 4].map((c) => space.familyOf[used[c]]).sort((a, b) => a - b));
    // Per-metric: each metric's two best, so up to survivorsBesidesDefault of them besides the default.
    const perMetric = survivingFamilies({
      ...input,
      selection: 'per-metric',
      scores: scores((c, m) => (m === 0 ? ranked[c] : -ranked[c])),
    });
    expect(families(perMetric)).toHaveLength(1 + 2 + 2);
    expect(survivorsBesidesDefault({ windows: 3, survivors: 2 }, 'per-metric', M)).toBe(4);
    expect(survivorsBesidesDefault({ windows: 3, survivors: 2 }, 'per-tenant', M)).toBe(2);
  });
});

describe('racing', () => {
  it('that drops nothing changes nothing: every window in round 1, every family survives', async () => {
    const { harness } = await harnessWith(biased);
    const plain = await harness.forecast(request());
    const raced = await harness.forecast(request({ racing: { windows: 64, survivors: 64 } }));
    expect(essence(raced)).toEqual(essence(plain));
    expect(raced.modelRows).toBe(plain.modelRows);
    expect(raced.racing).toMatchObject({ configsDropped: 0 });
    expect(raced.racing!.survivingFamilies).toBe(raced.racing!.families);
    expect(plain.racing).toBeNull();
  });

  it('runs the first round on its windows only, then the survivors’ other windows and final rows', async () => {
    const { harness, forecaster } = await harnessWith(biased);
    const plain = await harness.forecast(request());
    const before = forecaster.batches.length;
    const r = await harness.forecast(request({ racing: { windows: 3, survivors: 3 } }));
    const [round1, round2] = forecaster.batches.slice(before);
    expect(forecaster.batches.length - before).toBe(2);
    expect(r.forecasterCalls).toBe(2);

    // The default placement: 8 tail windows and the same time 1 and 7 days back. Round 1 scores
    // the latest, a middle one and the earliest (a week back); no final forecast.
    const n = tenant.metrics.cpu.length;
    expect(r.validationWindows).toBe(10);
    const firstEnds = [...new Set(round1.map((row) => row.end))].sort((a, b) => b! - a!);
    expect(firstEnds).toHaveLength(3);
    expect(firstEnds[0]).toBe(n - 60);
    expect(firstEnds[2]).toBe(n - 7 * 1440);
    expect(round2.some((row) => row.end === n)).toBe(true);

    // Round 2: the default's family and 3 others, nothing of a dropped family.
    const survivors = new Set(round2.map((row) => familyOf(row.config)));
    expect(survivors.size).toBeLessThanOrEqual(4);
    expect(survivors.has(familyOf(r.tried[0].config))).toBe(true);
    expect(r.racing).toMatchObject({ firstRoundWindows: 3, survivingFamilies: survivors.size });
    expect(r.modelRows).toBe(r.racing!.firstRoundModelRows + r.racing!.secondRoundModelRows);
    expect(r.modelRows).toBeLessThan(plain.modelRows / 2);

    // tried: the survivors' configs only (plus the statistical members), default first.
    const triedFamilies = new Set(r.tried.filter((t) => t.config !== null).map((t) => familyOf(t.config)));
    expect(triedFamilies).toEqual(survivors);
    expect(r.tried[0].key).toBe(r.defaultKey);
    expect(r.tried.filter((t) => t.config !== null).length + r.racing!.configsDropped).toBe(r.kUsed);
  });

  it('keeps the first round’s best families: when every window ranks them alike, racing picks what the full search picks', async () => {
    // Quality is a fixed function of the model input, so the first round ranks families as all windows do.
    const { harness } = await harnessWith(biased);
    const plain = await harness.forecast(request());
    const raced = await harness.forecast(request({ racing: { windows: 3, survivors: 2 } }));
    expect(raced.winner.cpu.key).toBe(plain.winner.cpu.key);
    expect(raced.forecast).toEqual(plain.forecast);
  });

  it('per-metric selection keeps each metric’s best families', async () => {
    // cpu prefers short contexts, the other metrics long ones (as the default's 512 does): the
    // tenant score's best other family is long too, so cpu's best survives only by its own ranking.
    const perMetric = biasedOracle((row) => {
      const isCpu = lastValue(row) < 1; // the CPU fraction; the other metrics are in the tens or more
      return (isCpu ? row.config.contextLength : 512 - row.config.contextLength) / 512;
    });
    const { harness } = await harnessWith(perMetric);
    const options = { selection: 'per-metric' as const, members: [] };
    const plain = await harness.forecast(request(options));
    const raced = await harness.forecast(request({ ...options, racing: { windows: 3, survivors: 1 } }));
    for (const m of plain.metrics) expect(raced.winner[m].key).toBe(plain.winner[m].key);
  });

  it('budgets with an upper bound of its rows: never below what it runs, never above the plain search', async () => {
    // 10 ms a row, nothing else: a fresh harness predicts with these coefficients, so
    // predictedModelMs / 10 is the bound the cost model was given (measure mode: K is not cut).
    const priced = async (budgetMode: 'measure' | 'enforce') =>
      Harness.create(new FakeForecaster(biased), {
        costModel: new CostModel({ fixedMs: 0, perRowMs: 10, overheadMs: 0 }),
        budgetMode,
      });
    const racing = { windows: 3, survivors: 4 };
    for (const seed of [1, 2, 3]) {
      const plain = await (await priced('measure')).forecast({ ...request(), seed });
      const raced = await (await priced('measure')).forecast({ ...request({ racing }), seed });
      const bound = raced.budget.predictedModelMs / 10;
      expect(raced.modelRows).toBeLessThanOrEqual(bound);
      expect(bound).toBeLessThanOrEqual(plain.modelRows);
      expect(bound).toBeLessThan(0.75 * plain.modelRows);
      // In enforce mode a budget the bound fits (with 2 s to spare for everything before the
      // call) keeps K = 32 with racing, where the plain search must cut K.
      const budgetMs = 10 * bound + 2000;
      expect(10 * plain.modelRows).toBeGreaterThan(budgetMs);
      const cutPlain = await (await priced('enforce')).forecast({ ...request(), seed, budgetMs });
      const keptRacing = await (await priced('enforce')).forecast({ ...request({ racing }), seed, budgetMs });
      expect(cutPlain.kUsed).toBeLessThan(32);
      expect(keptRacing.kUsed).toBe(32);
    }
  });

  it('refuses a bad setting with the field named', async () => {
    const { harness } = await harnessWith(naive);
    await expect(harness.forecast(request({ racing: { windows: 0, survivors: 2 } }))).rejects.toThrow(
      /options\.racing\.windows/,
    );
    await expect(
      harness.forecast(request({ racing: { windows: 2, survivors: 2, survivor: 3 } as never })),
    ).rejects.toThrow(/options\.racing/);
  });
});
