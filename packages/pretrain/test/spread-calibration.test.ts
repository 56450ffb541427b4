// Spread calibration: scaling the model's increments recovers a mis-scaled forecast's levels,
// keeps quantiles non-crossing, and leaves the median alone.
import fc from 'fast-check';
import { Rng } from '@tsfm/workload-gen';
import { describe, expect, it } from 'vitest';
import { applySpread, fitSpread, type SpreadSample } from '../src/calibration/spread.js';
import { normalQuantile } from '@tsfm/numerics';
import { countBelow } from '../src/validation/validation-set.js';

const LEVELS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];
const Q = LEVELS.length;

/** Forecasts N(μ, σ·claimed) quantiles for actuals drawn from N(μ, σ): mis-scaled by `claimed`. */
function samples(seed: number, claimed: number, windows: number, h: number): SpreadSample[] {
  const rng = new Rng(7, seed, 0, 0);
  const out: SpreadSample[] = [];
  for (let w = 0; w < windows; w++) {
    const mu = rng.between(-5, 5);
    const sigma = rng.between(0.5, 3);
    const quantiles = new Float32Array(h * Q);
    const actual = new Float32Array(h);
    for (let t = 0; t < h; t++) {
      for (let k = 0; k < Q; k++) quantiles[t * Q + k] = mu + sigma * claimed * normalQuantile(LEVELS[k]);
      actual[t] = mu + sigma * rng.normal();
    }
    out.push({ quantiles, actual, nonNegative: false, weight: 1 });
  }
  return out;
}

function shareBelow(ss: readonly SpreadSample[], factors: Float64Array, k: number): number {
  let below = 0;
  let n = 0;
  for (const s of ss) {
    const q = applySpread(s.quantiles, Q, factors);
    for (let t = 0; t < s.actual.length; t++) {
      n++;
      if (s.actual[t] < q[t * Q + k]) below++;
    }
  }
  return below / n;
}

describe('spread calibration', () => {
  it('recovers the scale of a forecast that is too narrow or too wide, at every level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0.4, max: 2.5, noNaN: true }),
        (seed, claimed) => {
          const fit = samples(seed, claimed, 200, 20); // 4,000 points
          const factors = fitSpread(fit, LEVELS);
          // On the fitting points every level but the median (which calibration never moves) is met
          // up to a few points' share (bisection is exact up to discreteness and float32 rounding).
          for (let k = 0; k < Q; k++)
            if (k !== 6) expect(Math.abs(shareBelow(fit, factors, k) - LEVELS[k])).toBeLessThan(1e-3);
          // On fresh points from the same distribution the level holds within a binomial 99.9 % band.
          const fresh = samples(seed + 1, claimed, 200, 20);
          for (let k = 0; k < Q; k++) {
            const band = 3.3 * Math.sqrt((LEVELS[k] * (1 - LEVELS[k])) / 4000) + 0.01;
            expect(Math.abs(shareBelow(fresh, factors, k) - LEVELS[k])).toBeLessThan(band);
          }
          // The inner factors undo the mis-scaling (outer ones see few points and vary more).
          expect(factors[5] * claimed).toBeGreaterThan(0.75);
          expect(factors[5] * claimed).toBeLessThan(1.33);
        },
      ),
      { numRuns: 12, seed: 20261207 },
    );
  });

  it('never moves the median and never makes quantiles cross', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: Q, maxLength: Q }),
        fc.array(fc.double({ min: 0.125, max: 8, noNaN: true }), { minLength: Q - 1, maxLength: Q - 1 }),
        (raw, factors) => {
          const q = Float32Array.from(raw.sort((a, b) => a - b));
          const out = applySpread(q, Q, factors);
          expect(out[6]).toBe(q[6]);
          for (let k = 1; k < Q; k++) expect(out[k]).toBeGreaterThanOrEqual(out[k - 1]);
        },
      ),
      { seed: 7 },
    );
  });

  it('counts a clamped floor as evaluate does: an actual of 0 on a quantile clamped at 0 is half below', () => {
    // Never-negative series whose actuals are all 0 and whose forecasts straddle 0: the lower
    // quantiles clamp to 0, every actual ties them, so they read 0.5 whatever the factor; the
    // search ends at a bound instead of failing.
    const quantiles = new Float32Array(Q);
    for (let k = 0; k < Q; k++) quantiles[k] = normalQuantile(LEVELS[k]);
    const s: SpreadSample = { quantiles, actual: new Float32Array(1), nonNegative: true, weight: 1 };
    const factors = fitSpread([s], LEVELS);
    expect([...factors].every((f) => f >= 1 / 8 - 1e-9 && f <= 8 + 1e-9)).toBe(true);
  });
});

describe('countBelow (the per-level calibration count of validate.ts and the calibration stage)', () => {
  it('counts an actual below a quantile as 1, a tie as ½, and skips non-finite actuals', () => {
    const below = new Float64Array(2);
    // Two steps × two levels: quantiles (0, 2) and (1, 1); actuals 0 (a tie on level 0), NaN, 3.
    const counted = countBelow([0, Number.NaN, 3], [0, 2, 1, 1, 5, 6], 2, below);
    expect(counted).toBe(2);
    expect([...below]).toEqual([0.5 + 1, 1 + 1]);
  });
});
