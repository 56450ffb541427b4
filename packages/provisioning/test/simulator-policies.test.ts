import { describe, expect, it } from 'vitest';
import type { MetricForecast } from '../src/index.js';
import {
  ForecastMemo,
  cranePolicy,
  forecastPolicy,
  reactivePolicy,
  vpaPolicy,
  type CapacityPolicy,
  type DecisionContext,
  type PolicySpec,
  type QuantileSource,
} from '../src/simulator/index.js';
import { LEVELS } from './fixtures.js';

const TENANT = { id: 't', alpha: 0.9, stepMinutes: 1 };
const SETTINGS = { decisionEverySteps: 5, horizonSteps: 15 };
const ctx = (current: number, decision = 0): DecisionContext => ({ current, alpha: 0.9, stepMinutes: 1, decision });

function series(n: number, f: (i: number) => number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => f(i));
}

/** Decide at each of `times` on one trace, carrying the capacity forward like the replay does. */
async function decisions(spec: PolicySpec, trace: Float32Array, times: number[], start = 0): Promise<number[]> {
  const policy: CapacityPolicy = spec.create(TENANT, SETTINGS);
  let current = start;
  const out: number[] = [];
  for (const [i, t] of times.entries()) {
    const d = await policy.decide(trace.subarray(0, t), 15, ctx(current, i));
    if (typeof d !== 'number') throw new Error('expected a level');
    out.push(d);
    current = d;
  }
  return out;
}

describe('vpa-style policy', () => {
  it('targets P90 × 1.15 of usage (within one 5 % bucket)', async () => {
    // 95 % of minutes at 3 and 5 % at 50: P90 is 3 whatever the decay does to the weights.
    const trace = series(2000, (i) => (i % 20 === 0 ? 50 : 3));
    const [target] = await decisions(vpaPolicy(), trace, [2000]);
    expect(target).toBeGreaterThanOrEqual(3 * 1.15);
    expect(target).toBeLessThanOrEqual((3 * 1.05 + 0.1) * 1.15);
  });

  it('forgets with a 24-hour half-life: three days after a drop the old level has faded', async () => {
    const day = 1440;
    const trace = series(10 * day, (i) => (i < 3 * day ? 10 : 2));
    const [justAfter, later] = await decisions(vpaPolicy(), trace, [3 * day + 60, 10 * day]);
    expect(justAfter).toBeGreaterThan(10); // the old level still dominates the weight
    expect(later).toBeLessThan(2 * 1.05 * 1.15 + 0.05); // 7 days on, it weighs < 1 %
  });
});

describe('crane-style policy', () => {
  it('is exactly P99 of the last 7 days × 1.15, ignoring anything older', async () => {
    const week = 7 * 1440;
    // Old history is huge; the last week is 0…99 repeated, so its P99 is 98 by nearest rank.
    const trace = series(week + 5000, (i) => (i < 5000 ? 1e6 : (i - 5000) % 100));
    const [target] = await decisions(cranePolicy(), trace, [week + 5000]);
    expect(target).toBeCloseTo(98 * 1.15, 9);
  });

  it('keeps the current capacity while it has no observation at all', async () => {
    const [target] = await decisions(
      cranePolicy(),
      series(100, () => Number.NaN),
      [100],
      3,
    );
    expect(target).toBe(3);
  });
});

describe('reactive policy', () => {
  it('scales up at once when utilisation passes the upper threshold, to usage × (1 + headroom)', async () => {
    const trace = series(100, (i) => (i < 50 ? 1 : 2));
    const [, , up] = await decisions(reactivePolicy(), trace, [40, 45, 55], 1.3);
    expect(up).toBeCloseTo(2 * 1.3, 6);
  });

  it('scales down only after the cooldown since its last change', async () => {
    const p2 = reactivePolicy({ downCooldownMinutes: 15 }).create(TENANT, SETTINGS);
    const low = series(300, () => 0.5);
    const high = 0.5 * 1.3;
    expect(await p2.decide(low.subarray(0, 100), 15, ctx(0, 0))).toBeCloseTo(high, 6); // change at 100
    expect(await p2.decide(low.subarray(0, 105), 15, ctx(5, 1))).toBe(5); // utilisation 0.1 but 5 < 15 min since
    expect(await p2.decide(low.subarray(0, 110), 15, ctx(5, 2))).toBe(5);
    expect(await p2.decide(low.subarray(0, 115), 15, ctx(5, 3))).toBeCloseTo(high, 6); // 15 min: allowed
  });

  it('refuses a headroom that would put it straight back across a threshold', () => {
    expect(() => reactivePolicy({ headroom: 0.05, upper: 0.9 })).toThrow(/inside/);
  });
});

/** A flat forecast at `level` for every quantile except a spread of ± spread around it. */
function flat(level: number, h: number, spread = 0): MetricForecast {
  const q = new Float32Array(h * LEVELS.length);
  for (let t = 0; t < h; t++) LEVELS.forEach((l, k) => (q[t * LEVELS.length + k] = level + spread * (l - 0.5)));
  return { quantiles: q, levels: LEVELS, horizon: h };
}

describe('forecast-backed policy', () => {
  const history = series(200, () => 1);

  it('direct: applies the peak α-quantile over the horizon at every decision', async () => {
    const source: QuantileSource = async ({ horizonSteps }) => flat(4, horizonSteps, 2); // q0.9 = 4 + 2·0.4
    const policy = forecastPolicy({ name: 'f', family: 'f', alpha: 'tier', source }).create(TENANT, SETTINGS);
    expect(await policy.decide(history, 15, ctx(100))).toBeCloseTo(4.8, 5);
  });

  it('recommender: holds inside the dead band and moves outside it', async () => {
    const source: QuantileSource = async ({ horizonSteps }) => flat(4, horizonSteps);
    const policy = forecastPolicy({ name: 'f', family: 'f', alpha: 'tier', source, mode: 'recommender' }).create(
      TENANT,
      SETTINGS,
    );
    expect(await policy.decide(history, 15, ctx(4.1))).toBe(4.1); // within premium's band
    expect(await policy.decide(history, 15, ctx(2))).toBeCloseTo(4, 5); // scale_up
    expect(await policy.decide(history, 15, ctx(10))).toBeCloseTo(4, 5); // scale_down (target < 0.5 × current)
  });

  it('uses a sweep point’s own α, not the tenant’s', async () => {
    const seen: number[] = [];
    const source: QuantileSource = async ({ alpha, horizonSteps }) => (seen.push(alpha), flat(1, horizonSteps));
    await forecastPolicy({ name: 'f@0.5', family: 'f', alpha: 0.5, source })
      .create(TENANT, SETTINGS)
      .decide(history, 15, ctx(1));
    expect(seen).toEqual([0.5]);
  });

  it('keeps the current capacity on a cold start (too little history to recommend)', async () => {
    const source: QuantileSource = async ({ horizonSteps }) => flat(9, horizonSteps);
    const policy = forecastPolicy({ name: 'f', family: 'f', alpha: 'tier', source }).create(TENANT, SETTINGS);
    expect(
      await policy.decide(
        series(30, () => 1),
        15,
        ctx(2),
      ),
    ).toBe(2);
  });

  it('shares one forecast between policies through a memo, per α only when the source depends on it', async () => {
    let calls = 0;
    const source: QuantileSource = async ({ horizonSteps }) => (calls++, flat(1, horizonSteps));
    const memo = new ForecastMemo();
    const shared = memo.wrap(source, { dependsOnAlpha: false });
    const a = forecastPolicy({ name: 'a', family: 'f', alpha: 0.5, source: shared }).create(TENANT, SETTINGS);
    const b = forecastPolicy({ name: 'b', family: 'f', alpha: 0.9, source: shared }).create(TENANT, SETTINGS);
    await a.decide(history, 15, ctx(1));
    await b.decide(history, 15, ctx(1));
    expect(calls).toBe(1);
    const perAlpha = new ForecastMemo().wrap(source, { dependsOnAlpha: true });
    await forecastPolicy({ name: 'c', family: 'f', alpha: 0.5, source: perAlpha })
      .create(TENANT, SETTINGS)
      .decide(history, 15, ctx(1));
    await forecastPolicy({ name: 'd', family: 'f', alpha: 0.9, source: perAlpha })
      .create(TENANT, SETTINGS)
      .decide(history, 15, ctx(1));
    expect(calls).toBe(3);
    memo.clear();
    expect(memo.size).toBe(0);
  });

  it('never answers one source from another on the same memo (the harness with and without its online offset)', async () => {
    const memo = new ForecastMemo();
    const one = memo.wrap(async ({ horizonSteps }) => flat(1, horizonSteps), { dependsOnAlpha: true });
    const two = memo.wrap(async ({ horizonSteps }) => flat(2, horizonSteps), { dependsOnAlpha: true });
    const decide = (source: QuantileSource) =>
      forecastPolicy({ name: 'p', family: 'f', alpha: 'tier', source })
        .create(TENANT, SETTINGS)
        .decide(history, 15, ctx(0));
    const [a, b] = [await decide(one), await decide(two)];
    expect(b).not.toBe(a);
    expect(memo.size).toBe(2);
  });
});
