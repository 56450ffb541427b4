/**
 * The shift guard (statistical-members.ts SHIFT_RUN, final-guard.ts): a statistical member whose
 * own forecast of the last observations the series left — all of them outside its outermost
 * quantiles, on one side — is refused for the final forecast, and the harness falls back along the
 * selection's ranking. The case it exists for: a level shift inside the last validation window,
 * which every config's validation forecast was made before (NAB rds_cpu_utilization_cc0c53).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Harness } from '../src/index.js';
import { fitMember, shiftedSince, SHIFT_RUN, type StatisticalMember } from '../src/statistical-members.js';
import { FakeForecaster, LEVELS, naive } from './helpers/fake-forecaster.js';
import { FREE } from './helpers/three-configs.js';

const P = 24; // a "day" of 24 steps keeps the series short
const L = LEVELS.length;
const median = LEVELS.indexOf(0.5);

/** A daily cycle (period P) plus `noise(i)`. */
const cycle = (n: number, noise: (i: number) => number = () => 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / P) + noise(i));

/** Deterministic noise in [−1, 1) (a hash of i and seed, not Math.random). */
const hashNoise =
  (seed: number) =>
  (i: number): number => {
    let x = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(seed + 7, 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
    x ^= x >>> 12;
    return ((x >>> 0) / 2 ** 32) * 2 - 1;
  };

/** The guard's verdict for `member` at the end of `values` (fitted on the first 6 days). */
function verdict(member: StatisticalMember, values: Float32Array, horizon = 12): string | null {
  const fitEnd = 6 * P;
  const fit = fitMember(member, { values, fitEnd, horizon, stepsPerDay: P, levels: LEVELS });
  if (!fit.ok) throw new Error(fit.reason);
  return shiftedSince(fit.fitted, values, values.length, fitEnd, horizon, L, new Float32Array(horizon * L));
}

/** `values` with the last `steps` raised by `by`. */
function shifted(values: Float32Array, steps: number, by: number): Float32Array {
  const out = values.slice();
  for (let i = out.length - steps; i < out.length; i++) out[i] += by;
  return out;
}

describe('shiftedSince (the member-level check)', () => {
  const n = 9 * P;
  const noisy = cycle(n, hashNoise(1));

  it('refuses a seasonal member after a level shift 7 steps before the origin, above or below', () => {
    for (const member of ['snaive-daily', 'theta-daily'] as const) {
      expect(verdict(member, noisy)).toBeNull();
      expect(verdict(member, shifted(noisy, 7, 30))).toMatch(/^the last 6 observations all lie above/);
      expect(verdict(member, shifted(noisy, 7, -30))).toMatch(/^the last 6 observations all lie below/);
    }
  });

  it('needs the whole run: a shift of only the last 5 steps, or a gap in the run, gives no verdict', () => {
    expect(verdict('snaive-daily', shifted(noisy, SHIFT_RUN - 1, 30))).toBeNull();
    const gap = shifted(noisy, 7, 30);
    gap[n - 3] = Number.NaN;
    expect(verdict('snaive-daily', gap)).toBeNull();
  });

  it('naive follows a level shift, so it is not refused for one', () => {
    expect(verdict('naive', shifted(cycle(n), 7, 30))).toBeNull();
  });

  it('a horizon shorter than the run checks the horizon’s steps', () => {
    expect(verdict('snaive-daily', shifted(noisy, 4, 30), 4)).toMatch(/^the last 4 observations/);
  });

  it('property: a series that repeats its period exactly is never refused by seasonal naive; a shift beyond its spread always is', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000 }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 1, max: 1e3, noNaN: true }),
        fc.boolean(),
        (seed, amplitude, excess, up) => {
          // Noise that repeats every period: the member's errors are exactly 0, its band [0, 0].
          const noise = hashNoise(seed);
          const periodic = cycle(n, (i) => amplitude * noise(i % P));
          expect(verdict('snaive-daily', periodic)).toBeNull();
          // On noisy data: a shift larger than the member's whole forecast range is always caught.
          const values = cycle(n, (i) => amplitude * noise(i));
          const fit = fitMember('snaive-daily', { values, fitEnd: 6 * P, horizon: 12, stepsPerDay: P, levels: LEVELS });
          if (!fit.ok) throw new Error(fit.reason);
          const out = new Float32Array(12 * L);
          fit.fitted.forecast(n, out);
          const spread = out[L - 1] - out[0] + 2 * amplitude + 20;
          const by = (up ? 1 : -1) * (spread + excess);
          expect(verdict('snaive-daily', shifted(values, 7, by))).toMatch(up ? /lie above/ : /lie below/);
        },
      ),
      { seed: 20261208, numRuns: 100 },
    );
  });
});

describe('the shift guard in the harness', () => {
  // 8 tail windows of 12 leave 9 days before them: a week plus a little for the weekly member.
  // The shift is in the last window only; the seasonal members are exact in the seven before it
  // and win at the median (at α = 0.9 naive's wide upper quantile can edge them out).
  const n = 13 * P;
  const level = shifted(cycle(n, hashNoise(2)), 7, 20);
  const request = (shiftGuard?: boolean) => ({
    history: { id: 'shifted', metrics: { cpu: level } },
    horizon: 12,
    alpha: 0.5,
    k: 8,
    options: {
      stepsPerDay: P,
      minContextPoints: 12,
      validationWindows: 8,
      validationPlacement: 'tail' as const,
      ...(shiftGuard === undefined ? {} : { shiftGuard }),
    },
  });

  it('a seasonal member that won validation before the shift is refused; the next by score forecasts', async () => {
    const harness = await Harness.create(new FakeForecaster(naive), { costModel: FREE(), budgetMode: 'measure' });
    const off = await harness.forecast(request(false));
    // Without the guard: a seasonal member wins (the last-value model configs cannot follow the cycle
    // in the windows before the shift) and forecasts the old level.
    expect(off.path).toBe('search');
    expect(off.winner.cpu.config).toBeNull();
    expect(['stat-snaive-daily', 'stat-snaive-weekly', 'stat-theta-daily']).toContain(off.winner.cpu.key);
    expect(off.fallbacks).toEqual([]);
    // The shifted level at the first forecast step (the cycle is at phase 0 there, 100 before the shift).
    const shiftedLevel = 120;
    expect(Math.abs(off.quantiles.cpu.quantiles[median] - shiftedLevel)).toBeGreaterThan(10);

    const on = await harness.forecast(request());
    expect(on.fallbacks).toHaveLength(1);
    const f = on.fallbacks[0];
    expect(f.metric).toBe('cpu');
    expect(f.from).toBe(off.winner.cpu.key);
    expect(f.reason).toBe('shifted');
    expect(f.accepted).toBe(true);
    // Every seasonal member is refused on the way; the forecast comes from one that follows the level.
    expect(f.refused.every((r) => r.reason === 'shifted')).toBe(true);
    expect(on.winner.cpu.key).toBe(f.to);
    expect(['stat-snaive-daily', 'stat-snaive-weekly', 'stat-theta-daily']).not.toContain(f.to);
    expect(Math.abs(on.quantiles.cpu.quantiles[median] - shiftedLevel)).toBeLessThan(5);
    expect(on.notes.some((s) => s.includes('the series has shifted'))).toBe(true);
  });

  it('a series without a shift is forecast the same with the guard on or off', async () => {
    const harness = await Harness.create(new FakeForecaster(naive), { costModel: FREE(), budgetMode: 'measure' });
    const calm = { ...request(), history: { id: 'calm', metrics: { cpu: cycle(n, hashNoise(2)) } } };
    const on = await harness.forecast(calm);
    const off = await harness.forecast({ ...calm, options: { ...calm.options, shiftGuard: false } });
    expect(on.fallbacks).toEqual([]);
    expect(on.winner.cpu.key).toBe(off.winner.cpu.key);
    expect(Array.from(on.forecast.cpu)).toEqual(Array.from(off.forecast.cpu));
  });
});
