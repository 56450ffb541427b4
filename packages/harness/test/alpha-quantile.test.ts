/**
 * The harness returns the α-quantile — not the median, not a neighbouring level — checked on a
 * real ONNX model whose quantiles are known exactly: level k = last value + k.
 */
import { configGrid, loadModel, type TsfmClient } from '@tsfm/tsfm-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostModel, Harness } from '../src/index.js';
import { KNOWN_LEVELS, knownQuantileModel } from '../../../test-fixtures/models.js';
import { CLASSIC } from './helpers/classic.js';

let client: TsfmClient;
beforeAll(async () => {
  client = await loadModel(knownQuantileModel(64, 64));
});
afterAll(() => client.release());

const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => 10 + (i % 50));

describe('α-quantile on a model with known quantiles', () => {
  it('α = 0.9 returns level 0.9 (last + 10), not the median (last + 6)', async () => {
    const harness = await Harness.create(client);
    const values = ramp(50); // < h + 60: cold start with the default config (raw levels)
    const last = values[values.length - 1]!;
    const r = await harness.forecast({ history: { values }, horizon: 30, alpha: 0.9 });
    expect(r.path).toBe('cold-start-default');
    expect(KNOWN_LEVELS[10]).toBe(0.9);
    expect(Array.from(r.forecast.value!)).toEqual(new Array(30).fill(last + 10));
    expect(Array.from(r.quantiles.value!.quantileAt(0.5))).toEqual(new Array(30).fill(last + 6));
    // Every level comes back, in level order.
    expect(Array.from(r.quantiles.value!.quantiles.subarray(0, 13))).toEqual(KNOWN_LEVELS.map((_, k) => last + k));
  });

  it('a tier α between model levels is interpolated (premium 0.9, standard 0.75, basic 0.65)', async () => {
    const harness = await Harness.create(client);
    const values = ramp(50);
    const last = values[values.length - 1]!;
    for (const [tier, offset] of [
      ['premium', 10],
      ['standard', 8.5],
      ['basic', 7.5],
    ] as const) {
      const r = await harness.forecast({ history: { values }, horizon: 5, tier });
      expect(r.forecast.value![0]).toBeCloseTo(last + offset, 4);
    }
  });

  it("on the search path the returned forecast is the winner's α-quantile", async () => {
    // Raw-scale configs only, so every config's level k is (last coarse value) + k.
    const grid = configGrid({ maxContextLength: 64, normalisations: ['none'], flip: [false] });
    const harness = await Harness.create(client, {
      grid,
      costModel: new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }),
      budgetMode: 'measure',
    });
    const r = await harness.forecast({
      history: { values: ramp(2000) },
      horizon: 60,
      alpha: 0.9,
      k: 16,
      options: CLASSIC,
    });
    expect(r.path).toBe('search');
    const q = r.quantiles.value!;
    const p90 = q.quantileAt(0.9);
    const p50 = q.quantileAt(0.5);
    expect(Array.from(r.forecast.value!)).toEqual(Array.from(p90));
    for (let t = 0; t < 60; t++) expect(p90[t]! - p50[t]!).toBeCloseTo(4, 4);
  });
});
