/**
 * The model dimension (several ONNX models in one config space) and top-m combination, on rigged
 * forecasters whose outputs are known: one batched call per model, prefixed keys, every model's
 * default tried, the better model wins; the quantile-wise median / mean of the top m by validation
 * score, never crossing; refusals for models that cannot share a space.
 */
import type { ForecastRow } from '@tsfm/tsfm-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Harness, type HarnessRequest } from '../src/index.js';
import { combineMatrices, topPositions } from '../src/combine.js';
import { CLASSIC } from './helpers/classic.js';
import { FakeForecaster, flatMatrix, lastValue, LEVELS, naive, type Predict } from './helpers/fake-forecaster.js';
import { FREE } from './helpers/three-configs.js';
import { syntheticTenant } from '../../../test-fixtures/tenants.js';

const tenant = syntheticTenant(3000, 7);
const request = (over: Partial<HarnessRequest> = {}): HarnessRequest => ({
  history: tenant,
  horizon: 60,
  alpha: 0.9,
  k: 16,
  ...over,
  options: { ...CLASSIC, ...over.options },
});

/** The true future of a validation row (the array holds it); the last value for the final row. */
function truth(row: ForecastRow, t: number): number {
  const end = row.end ?? row.values.length;
  return end + t < row.values.length ? row.values[end + t]! : lastValue(row);
}
const oracle: Predict = (row, levels) => flatMatrix(row.horizon, levels, (t) => truth(row, t));

describe('the model dimension', () => {
  it('two models: one batched call each, prefixed keys, the second model’s default tried, the better model wins', async () => {
    const primary = new FakeForecaster(naive);
    const second = new FakeForecaster(oracle);
    const harness = await Harness.create(primary, {
      costModel: FREE(),
      budgetMode: 'measure',
      modelName: 'v1',
      models: [{ name: 'v2', forecaster: second }],
    });
    const r = await harness.forecast(request());
    expect(primary.calls).toBe(1);
    expect(second.calls).toBe(1);
    expect(r.forecasterCalls).toBe(2);
    expect(r.tried[0]!.key).toBe(r.defaultKey);
    expect(r.tried[0]!.model).toBe('v1');
    expect(r.tried.find((t) => t.source === 'model-default')!.key).toBe(`v2/${r.defaultKey}`);
    expect(r.tried.filter((t) => t.model === 'v2').every((t) => t.key.startsWith('v2/'))).toBe(true);
    expect(r.winner.cpu!.model).toBe('v2');
    expect(r.winner.cpu!.score).toBe(0);
    // Rows went to the model they belong to.
    expect(primary.batches[0]!.length + second.batches[0]!.length).toBe(r.requestRows);
  });

  it('refuses models whose quantile levels differ, and a name used twice', async () => {
    const other = new FakeForecaster(naive, { levels: [0.1, 0.5, 0.9] });
    await expect(
      Harness.create(new FakeForecaster(naive), { costModel: FREE(), models: [{ name: 'x', forecaster: other }] }),
    ).rejects.toThrow(/every model of one harness must have the primary's/);
    await expect(
      Harness.create(new FakeForecaster(naive), {
        costModel: FREE(),
        budgetMode: 'measure',
        models: [{ name: 'default', forecaster: new FakeForecaster(naive) }],
      }),
    ).rejects.toThrow(/model name 'default' is used twice/);
  });
});

describe('combination of the top m', () => {
  it('the median of the top 3 by validation score; the winner is the best of them, the combination recorded', async () => {
    const harness = await Harness.create(new FakeForecaster(naive), { costModel: FREE(), budgetMode: 'measure' });
    const one = await harness.forecast(request());
    const three = await harness.forecast(request({ options: { combine: { top: 3, method: 'median' } } }));
    expect(three.winner.cpu!.key).toBe(one.winner.cpu!.key);
    const combined = three.winner.cpu!.combined!;
    expect(combined.method).toBe('median');
    expect(combined.keys).toHaveLength(3);
    expect(combined.keys[0]).toBe(one.winner.cpu!.key);
    // The two others are the next best by the selection score (ties in sample order).
    const ranked = [...one.tried]
      .map((t, i) => ({ key: t.key, score: t.score ?? Infinity, i }))
      .filter((t) => t.key !== one.winner.cpu!.key)
      .sort((a, b) => a.score - b.score || a.i - b.i);
    expect(combined.keys.slice(1)).toEqual(ranked.slice(0, 2).map((t) => t.key));
    expect(one.winner.cpu!.combined).toBeNull();
  });

  it('combineMatrices: median and mean per entry', () => {
    const a = Float32Array.from([1, 2, 3]);
    const b = Float32Array.from([5, 0, 3]);
    const c = Float32Array.from([2, 9, 4]);
    expect(Array.from(combineMatrices([a, b, c], 'median', new Float32Array(3)))).toEqual([2, 2, 3]);
    expect(Array.from(combineMatrices([a, b], 'median', new Float32Array(3)))).toEqual([3, 1, 3]);
    expect(Array.from(combineMatrices([a, b, c], 'mean', new Float32Array(3)))).toEqual([
      Math.fround(8 / 3),
      Math.fround(11 / 3),
      Math.fround(10 / 3),
    ]);
  });

  it('property: combined quantiles never cross when the members do not', () => {
    const row = fc
      .array(fc.float({ min: -1e3, max: 1e3, noNaN: true }), { minLength: LEVELS.length, maxLength: LEVELS.length })
      .map((v) => Float32Array.from(v.sort((x, y) => x - y)));
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 6 }), fc.constantFrom('median', 'mean'), (rows, method) => {
        const out = combineMatrices(rows, method as 'median' | 'mean', new Float32Array(LEVELS.length));
        for (let k = 1; k < out.length; k++) expect(out[k]!).toBeGreaterThanOrEqual(out[k - 1]!);
      }),
    );
  });

  it('topPositions: the first, then the rest by score, ineligible (NaN) left out, at most m', () => {
    const s = [0.5, Number.NaN, 0.2, 0.3, 0.3];
    expect(topPositions(2, (c) => s[c]!, 5, 1)).toEqual([2]);
    expect(topPositions(2, (c) => s[c]!, 5, 3)).toEqual([2, 3, 4]);
    expect(topPositions(0, (c) => s[c]!, 5, 9)).toEqual([0, 2, 3, 4]);
  });
});
