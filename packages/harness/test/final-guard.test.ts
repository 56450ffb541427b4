/**
 * The final-forecast guard (final-guard.ts): a winner whose FINAL forecast is non-finite or
 * implausible falls back (next-best config, then the default) and says so in `result.fallbacks`;
 * only a non-finite default fails the request. Rigged forecasters make the final rows misbehave
 * while the validation rows stay sane, which is exactly the gap the guard closes.
 */
import {
  configKey,
  DEFAULT_CONFIG,
  loadModel,
  parseConfig,
  type ForecastConfig,
  type ForecastRow,
} from '@tsfm/tsfm-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pretrainShapedModel } from '../../../test-fixtures/models.js';
import {
  Harness,
  HarnessError,
  PLAUSIBLE_RANGE_MULTIPLE,
  plausibleRange,
  checkFinal,
  staticPrior,
  type HarnessRequest,
  type HarnessResult,
} from '../src/index.js';
import { fallbackOrder } from '../src/final-guard.js';
import { FREE, GRID, X, Y } from './helpers/three-configs.js';
import { familyOf, FakeForecaster, flatMatrix, lastValue, naive, type Predict } from './helpers/fake-forecaster.js';
import { METRICS, syntheticTenant } from '../../../test-fixtures/tenants.js';
import { classicRequest } from './helpers/classic.js';

const tenant = syntheticTenant(3000, 5);
const request = (over: Partial<HarnessRequest> = {}): HarnessRequest =>
  classicRequest(tenant, { budgetMs: 1e9, ...over });

/** The final row (forecast from the whole history) rather than a validation row. */
const isFinal = (row: ForecastRow): boolean => (row.end ?? row.values.length) === row.values.length;

/** The true future of a validation row; the last value for the final row. */
function truth(row: ForecastRow, t: number): number {
  const end = row.end ?? row.values.length;
  return end + t < row.values.length ? row.values[end + t] : lastValue(row);
}

/**
 * `winner`'s family forecasts the truth on validation rows (so it wins) and `final(row)` on the
 * final row; every other family is naive. Y is better than naive on validation (half-way to the
 * truth), so it is the unique next-best.
 */
function rigged(
  final: (row: ForecastRow, levels: readonly number[]) => Float32Array,
  opts: { winner?: ForecastConfig; finalFamilies?: 'winner' | 'all' } = {},
): Predict {
  const winner = familyOf(opts.winner ?? X);
  return (row, levels) => {
    const fam = familyOf(row.config);
    if (isFinal(row) && (opts.finalFamilies === 'all' || fam === winner)) return final(row, levels);
    if (fam === winner) return flatMatrix(row.horizon, levels, (t) => truth(row, t));
    if (fam === familyOf(Y)) return flatMatrix(row.horizon, levels, (t) => (truth(row, t) + lastValue(row)) / 2);
    return naive(row, levels);
  };
}

const nanFinal = (row: ForecastRow, levels: readonly number[]): Float32Array => {
  const m = naive(row, levels);
  m[m.length - 1] = Number.NaN;
  return m;
};
/** Finite, 1e6 × the last value at every quantile: the expm1-tail failure, far outside the bound. */
const hugeFinal = (row: ForecastRow, levels: readonly number[]): Float32Array =>
  flatMatrix(row.horizon, levels, () => lastValue(row) * 1e6 + 1e6);

async function harnessWith(predict: Predict, options: { rangeMultiple?: number; prior?: Record<string, number> } = {}) {
  const fake = new FakeForecaster(predict);
  const harness = await Harness.create(fake, {
    grid: GRID,
    costModel: FREE(),
    budgetMode: 'measure',
    ...(options.rangeMultiple === undefined ? {} : { finalGuard: { rangeMultiple: options.rangeMultiple } }),
    ...(options.prior === undefined ? {} : { priorSource: staticPrior(options.prior) }),
  });
  return { fake, harness };
}

function expectWithinBounds(r: HarnessResult): void {
  for (const m of r.metrics) {
    const { lo, hi } = r.finalBounds[m];
    for (const v of r.quantiles[m].quantiles) expect(v >= lo && v <= hi).toBe(true);
    for (const v of r.forecast[m]) expect(v >= lo && v <= hi).toBe(true);
  }
}

describe('plausibleRange and checkFinal', () => {
  it('the bound is [min − c·range, max + c·range] of the observed history, NaN ignored', () => {
    const r = plausibleRange(new Float32Array([2, Number.NaN, 5, 3]), 10);
    expect(r).toEqual({ lo: 2 - 30, hi: 5 + 30 });
    expect(PLAUSIBLE_RANGE_MULTIPLE).toBe(10);
    expect(plausibleRange(new Float32Array([2, 5]))).toEqual({ lo: -28, hi: 35 });
  });

  it('a constant history uses |level| as its span, an all-zero one 1 unit; Infinity turns the bound off', () => {
    expect(plausibleRange(new Float32Array([4, 4, Number.NaN]), 10)).toEqual({ lo: -36, hi: 44 });
    expect(plausibleRange(new Float32Array([-4, -4]), 10)).toEqual({ lo: -44, hi: 36 });
    expect(plausibleRange(new Float32Array([0, 0]), 10)).toEqual({ lo: -10, hi: 10 });
    expect(plausibleRange(new Float32Array([1, 9]), Number.POSITIVE_INFINITY)).toEqual({
      lo: Number.NEGATIVE_INFINITY,
      hi: Number.POSITIVE_INFINITY,
    });
    expect(plausibleRange(new Float32Array([Number.NaN]), 10)).toEqual({
      lo: Number.NEGATIVE_INFINITY,
      hi: Number.POSITIVE_INFINITY,
    });
  });

  it('verdicts: non-finite first, then above / below the bound', () => {
    const range = { lo: 0, hi: 10 };
    expect(checkFinal(new Float32Array([1, 2, 10]), range)).toEqual({ ok: true });
    expect(checkFinal(new Float32Array([1, Number.POSITIVE_INFINITY, 1e9]), range)).toMatchObject({
      ok: false,
      reason: 'non-finite',
    });
    expect(checkFinal(new Float32Array([1, 11]), range)).toMatchObject({
      ok: false,
      reason: 'implausible',
      detail: expect.stringMatching(/above/),
    });
    expect(checkFinal(new Float32Array([-1, 1]), range)).toMatchObject({
      ok: false,
      reason: 'implausible',
      detail: expect.stringMatching(/below/),
    });
    expect(checkFinal(null, range)).toMatchObject({ ok: false, reason: 'no-final-forecast' });
  });

  it('fallback order: first choice, then scored configs by score (ties in sample order), then an unscored default', () => {
    const scores = [Number.NaN, 3, 1, Number.NaN, 2, 1];
    expect(fallbackOrder(2, 6, (c) => scores[c])).toEqual([2, 5, 4, 1, 0]);
    expect(fallbackOrder(0, 3, (c) => [5, 1, 2][c])).toEqual([0, 1, 2]);
    expect(fallbackOrder(1, 3, (c) => [5, 1, 2][c])).toEqual([1, 2, 0]);
  });

  it('property: an accepted forecast lies inside the bound, and the bound contains the history', () => {
    const value = fc.oneof(fc.double({ min: -1e12, max: 1e12, noNaN: true }).map(Math.fround), fc.constant(Number.NaN));
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 50 }),
        fc.array(
          fc.oneof(fc.double({ min: -1e15, max: 1e15 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY)),
          { minLength: 1, maxLength: 40 },
        ),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (history, forecast, c) => {
          const range = plausibleRange(Float32Array.from(history), c);
          const observed = Float32Array.from(history).filter((v) => v === v);
          // Repeating any observed value is always plausible.
          if (observed.length > 0) expect(checkFinal(observed, range).ok).toBe(true);
          const matrix = Float32Array.from(forecast);
          if (checkFinal(matrix, range).ok)
            for (const v of matrix) expect(Number.isFinite(v) && v >= range.lo && v <= range.hi).toBe(true);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('final-forecast guard in the harness', () => {
  it("(a) a NaN in the winner's final forecast: falls back to the next-best config, no error, recorded", async () => {
    const { harness, fake } = await harnessWith(rigged(nanFinal));
    const r = await harness.forecast(request());
    expect(r.tenantWinner).toBe('ctx128-r5-mean-std-flip0-clamp1-fix1'); // X won validation
    expect(r.fallbacks).toHaveLength(METRICS.length);
    for (const m of r.metrics) {
      const f = r.fallbacks.find((x) => x.metric === m)!;
      expect(f).toMatchObject({
        from: r.tenantWinner,
        reason: 'non-finite',
        accepted: true,
        refused: [{ key: r.tenantWinner, reason: 'non-finite' }],
      });
      // Y validated second best (half-way to the truth): it takes over.
      expect(familyOf(r.winner[m].config)).toBe(familyOf(Y));
      expect(f.to).toBe(r.winner[m].key);
      expect(r.winner[m].chosenBy).toBe('final-guard-fallback');
      expect(r.winner[m].score).toBe(r.tried.find((t) => t.key === f.to)!.score);
      expect(r.forecast[m].every(Number.isFinite)).toBe(true);
    }
    expect(r.notes.some((n) => /final-forecast guard/.test(n))).toBe(true);
    // No extra model call: the fallback's final forecast was in the one batch.
    expect(fake.calls).toBe(1);
    expect(r.forecasterCalls).toBe(1);
  });

  it('(b) an absurdly large but finite final forecast: falls back, reason implausible', async () => {
    const { harness } = await harnessWith(rigged(hugeFinal));
    const r = await harness.forecast(request());
    expect(r.fallbacks.map((f) => f.metric).sort()).toEqual([...METRICS].sort());
    for (const f of r.fallbacks) {
      expect(f).toMatchObject({
        reason: 'implausible',
        accepted: true,
        detail: expect.stringMatching(/above the plausible maximum/),
      });
      expect(f.to).not.toBe(f.from);
    }
    expectWithinBounds(r);
    // With the bound off, the same request returns the absurd forecast (finiteness only).
    const { harness: off } = await harnessWith(rigged(hugeFinal), { rangeMultiple: Number.POSITIVE_INFINITY });
    const r2 = await off.forecast(request());
    expect(r2.fallbacks).toEqual([]);
    expect(r2.forecast.cpu[0]).toBeGreaterThan(1e5);
  });

  it('(c) a normal request: no fallback, result identical to the guard turned off (fake forecaster)', async () => {
    const predict = rigged((row, levels) => flatMatrix(row.horizon, levels, () => lastValue(row)));
    const on = await (await harnessWith(predict)).harness.forecast(request());
    const off = await (
      await harnessWith(predict, { rangeMultiple: Number.POSITIVE_INFINITY })
    ).harness.forecast(request());
    expect(on.fallbacks).toEqual([]);
    expect(on.winner).toEqual(off.winner);
    for (const m of on.metrics) {
      expect(Array.from(on.forecast[m])).toEqual(Array.from(off.forecast[m]));
      expect(Array.from(on.quantiles[m].quantiles)).toEqual(Array.from(off.quantiles[m].quantiles));
      // Stored expectation: the winner X forecasts the last value from the full history.
      const v = tenant.metrics[m];
      expect(Array.from(on.forecast[m])).toEqual(new Array(60).fill(v[v.length - 1]));
    }
    expect(on.winner.cpu.chosenBy).toBe('search');
    expect(on.notes).toEqual(off.notes);
  });

  it('(c) normal requests through the real ONNX client (random-weight stand-in): no fallback, identical to the guard off', async () => {
    const client = await loadModel(pretrainShapedModel());
    try {
      // The budget is unlimited so the two harnesses' cost models cannot pick different K.
      const on = await Harness.create(client, { costModel: FREE(), budgetMode: 'measure' });
      const off = await Harness.create(client, {
        costModel: FREE(),
        budgetMode: 'measure',
        finalGuard: { rangeMultiple: Number.POSITIVE_INFINITY },
      });
      for (const [seed, selection] of [
        [1, 'per-tenant'],
        [2, 'per-metric'],
        [3, 'per-tenant'],
      ] as const) {
        const req: HarnessRequest = {
          history: syntheticTenant(4000, seed),
          horizon: 60,
          alpha: 0.9,
          k: 32,
          budgetMs: 1e9,
          seed,
          options: { selection },
        };
        const a = await on.forecast(req);
        const b = await off.forecast(req);
        expect(a.fallbacks).toEqual([]);
        expect(a.winner).toEqual(b.winner);
        for (const m of a.metrics)
          expect(Array.from(a.quantiles[m].quantiles)).toEqual(Array.from(b.quantiles[m].quantiles));
        expectWithinBounds(a);
      }
    } finally {
      await client.release();
    }
  });

  it("(d) every candidate's final forecast non-finite, the default included: the typed model-failure error", async () => {
    const { harness } = await harnessWith(rigged(nanFinal, { finalFamilies: 'all' }));
    const error = await harness.forecast(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('model-failure');
    expect((error as HarnessError).message).toMatch(
      /final-forecast guard for every candidate, the default ctx512-r1-none-flip0-clamp1-fix1 included \(non-finite\)/,
    );
    expect((error as HarnessError).details).toMatchObject({
      metric: expect.any(String),
      config: 'ctx512-r1-none-flip0-clamp1-fix1',
    });
  });

  it('every candidate implausible but the default finite: the default is used as the last resort, flagged', async () => {
    const { harness } = await harnessWith(rigged(hugeFinal, { finalFamilies: 'all' }));
    const r = await harness.forecast(request());
    expect(r.fallbacks).toHaveLength(METRICS.length);
    for (const f of r.fallbacks) {
      expect(f).toMatchObject({ to: r.defaultKey, accepted: false, reason: 'implausible' });
      // Every config was tried, in validation order, before the last resort.
      expect(f.refused.length).toBe(r.tried.length);
      expect(r.winner[f.metric].key).toBe(r.defaultKey);
    }
  });

  it('per-metric selection: only the metric whose final forecast fails falls back', async () => {
    const onlyNet = rigged((row, levels) =>
      row.values === tenant.metrics.net
        ? hugeFinal(row, levels)
        : flatMatrix(row.horizon, levels, () => lastValue(row)),
    );
    const { harness } = await harnessWith(onlyNet);
    const r = await harness.forecast(request({ options: { selection: 'per-metric' } }));
    expect(r.fallbacks.map((f) => f.metric)).toEqual(['net']);
    for (const m of ['cpu', 'mem', 'disk']) expect(r.winner[m].chosenBy).toBe('search');
    expect(r.winner.net.chosenBy).toBe('final-guard-fallback');
    expect(familyOf(r.winner.net.config)).toBe(familyOf(Y));
  });

  it('cold-start-prior: a failing prior config falls back to the default, forecast on demand in one extra call', async () => {
    const prior = { 'ctx128-r5-mean-std-flip0-clamp1-fix1': 1 };
    const { harness, fake } = await harnessWith(rigged(hugeFinal), { prior });
    const r = await harness.forecast(request({ history: syntheticTenant(100, 5) }));
    expect(r.path).toBe('cold-start-prior');
    expect(r.fallbacks).toHaveLength(METRICS.length);
    for (const f of r.fallbacks)
      expect(f).toMatchObject({
        from: 'ctx128-r5-mean-std-flip0-clamp1-fix1',
        to: r.defaultKey,
        reason: 'implausible',
        accepted: true,
      });
    expect(r.winner.cpu).toMatchObject({ key: r.defaultKey, chosenBy: 'final-guard-fallback' });
    expect(fake.calls).toBe(2);
    expect(fake.batches[1].map((row) => configKey(row.config))).toEqual(new Array(METRICS.length).fill(r.defaultKey));
    expect(r.forecasterCalls).toBe(2);
    expect(r.requestRows).toBe(2 * METRICS.length);
    expectWithinBounds(r);
  });

  it('cold-start-prior whose forecast passes: no extra call', async () => {
    const { harness, fake } = await harnessWith(naive, { prior: { 'ctx128-r5-mean-std-flip0-clamp1-fix1': 1 } });
    const r = await harness.forecast(request({ history: syntheticTenant(100, 5) }));
    expect(r.path).toBe('cold-start-prior');
    expect(r.fallbacks).toEqual([]);
    expect(fake.calls).toBe(1);
  });

  it('cold-start-default: nothing to fall back to — a finite implausible default is flagged, a NaN one is the typed error', async () => {
    const short = syntheticTenant(100, 5);
    const huge = await (
      await harnessWith(rigged(hugeFinal, { finalFamilies: 'all' }))
    ).harness.forecast(request({ history: short }));
    expect(huge.path).toBe('cold-start-default');
    expect(huge.fallbacks).toHaveLength(METRICS.length);
    for (const f of huge.fallbacks)
      expect(f).toMatchObject({ from: huge.defaultKey, to: huge.defaultKey, accepted: false });
    await expect(
      (await harnessWith(rigged(nanFinal, { finalFamilies: 'all' }))).harness.forecast(request({ history: short })),
    ).rejects.toMatchObject({ code: 'model-failure' });
  });

  it('refuses a negative or NaN rangeMultiple at construction', async () => {
    await expect(harnessWith(naive, { rangeMultiple: -1 })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(harnessWith(naive, { rangeMultiple: Number.NaN })).rejects.toMatchObject({ code: 'bad-request' });
  });

  it('property: whatever the final rows do, the result is a bounded forecast, a flagged default, or the typed error', async () => {
    const kinds = ['ok', 'nan', 'inf', 'huge', 'low'] as const;
    const hash = (s: string): number => [...s].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...kinds), { minLength: 7, maxLength: 7 }),
        fc.array(fc.double({ min: 0, max: 0.5, noNaN: true }), { minLength: 7, maxLength: 7 }),
        async (finals, bias) => {
          const slot = (config: ForecastConfig): number => hash(familyOf(config)) % 7;
          const predict: Predict = (row, levels) => {
            const s = slot(row.config);
            if (!isFinal(row))
              return flatMatrix(row.horizon, levels, (t) => truth(row, t) * (1 + bias[s]) + bias[s] * lastValue(row));
            const base = lastValue(row);
            switch (finals[s]) {
              case 'nan':
                return flatMatrix(row.horizon, levels, () => Number.NaN);
              case 'inf':
                return flatMatrix(row.horizon, levels, (t) => (t === 3 ? Number.POSITIVE_INFINITY : base));
              case 'huge':
                return flatMatrix(row.horizon, levels, () => base * 1e6 + 1e6);
              case 'low':
                return flatMatrix(row.horizon, levels, () => -(base * 1e6 + 1e6));
              default:
                return flatMatrix(row.horizon, levels, () => base);
            }
          };
          const { harness } = await harnessWith(predict);
          const defaultKind = finals[slot(parseConfig(DEFAULT_CONFIG))];
          let r: HarnessResult;
          try {
            r = await harness.forecast(request({ k: 8 }));
          } catch (error) {
            expect(error).toBeInstanceOf(HarnessError);
            expect((error as HarnessError).code).toBe('model-failure');
            expect(['nan', 'inf']).toContain(defaultKind);
            return;
          }
          for (const m of r.metrics) {
            const f = r.fallbacks.find((x) => x.metric === m);
            if (f === undefined || f.accepted) {
              const { lo, hi } = r.finalBounds[m];
              expect(r.quantiles[m].quantiles.every((v) => v >= lo && v <= hi)).toBe(true);
            } else {
              expect(f.to).toBe(r.defaultKey);
              expect(r.quantiles[m].quantiles.every(Number.isFinite)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 40, seed: 11 },
    );
  });
});
