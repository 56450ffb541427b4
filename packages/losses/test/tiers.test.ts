import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LossInputError, TIERS, alphaFromCosts, isTier, pinball, tierAlpha } from '../src/index.js';
import type { Tier } from '../src/index.js';
import { closeRel, value } from './arbitraries.js';

describe('TIERS', () => {
  it('holds the design levels', () => {
    expect(TIERS).toEqual({ premium: 0.9, standard: 0.75, basic: 0.65 });
  });

  it('cannot be mutated by a consumer', () => {
    expect(Object.isFrozen(TIERS)).toBe(true);
  });

  it.each(Object.entries(TIERS))('tierAlpha(%s) = %s', (tier, a) => {
    expect(tierAlpha(tier as Tier)).toBe(a);
  });

  it('rejects a name that is not a tier (tiers often come from JSON)', () => {
    expect(() => tierAlpha('gold' as Tier)).toThrow(LossInputError);
    expect(() => tierAlpha('gold' as Tier)).toThrow(/premium, standard, basic/);
    expect(() => tierAlpha('toString' as Tier)).toThrow(LossInputError);
  });

  it('isTier recognises exactly the tier names', () => {
    expect(['premium', 'standard', 'basic'].every(isTier)).toBe(true);
    expect([undefined, 'Premium', 'constructor', 0.9].some(isTier)).toBe(false);
  });

  it('orders tiers under under-prediction: premium ≥ standard ≥ basic', () => {
    const shortfall = fc.double({ min: 1e-3, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(value, shortfall, (y, e) => {
        const loss = (tier: Tier) => pinball(y, y - e, tierAlpha(tier));
        expect(loss('premium')).toBeGreaterThan(loss('standard'));
        expect(loss('standard')).toBeGreaterThan(loss('basic'));
      }),
    );
  });

  it('reverses the order under over-prediction', () => {
    const slack = fc.double({ min: 1e-3, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(value, slack, (y, e) => {
        const loss = (tier: Tier) => pinball(y, y + e, tierAlpha(tier));
        expect(loss('premium')).toBeLessThan(loss('standard'));
        expect(loss('standard')).toBeLessThan(loss('basic'));
      }),
    );
  });
});

describe('alphaFromCosts', () => {
  it('is the critical ratio cUnder / (cUnder + cOver)', () => {
    expect(alphaFromCosts(9, 1)).toBeCloseTo(0.9, 15); // 9 / 10
    expect(alphaFromCosts(3, 1)).toBeCloseTo(0.75, 15); // 3 / 4
    expect(alphaFromCosts(1, 1)).toBe(0.5); // 1 / 2
    expect(alphaFromCosts(13, 7)).toBeCloseTo(0.65, 15); // 13 / 20
  });

  it.each([
    [0, 1],
    [1, 0],
    [-1, 1],
    [1, Number.NaN],
    [Number.POSITIVE_INFINITY, 1],
  ])('rejects costs (%s, %s)', (cUnder, cOver) => {
    expect(() => alphaFromCosts(cUnder, cOver)).toThrow(LossInputError);
  });

  it('rejects a cost ratio so extreme that α would round to 0 or 1', () => {
    expect(() => alphaFromCosts(1e300, 1e-300)).toThrow(/too extreme/);
    expect(() => alphaFromCosts(1e-300, 1e300)).toThrow(/too extreme/);
  });

  const cost = fc.double({ min: 1e-6, max: 1e6, noNaN: true });

  it('lies in (0, 1) and matches the textbook quotient', () => {
    fc.assert(
      fc.property(cost, cost, (cUnder, cOver) => {
        const a = alphaFromCosts(cUnder, cOver);
        expect(a).toBeGreaterThan(0);
        expect(a).toBeLessThan(1);
        // (odds a/(1−a) would be ill-conditioned near α → 1; compare the quotient itself)
        expect(closeRel(a, cUnder / (cUnder + cOver), 1e-12)).toBe(true);
      }),
    );
  });

  it('never decreases as cUnder grows, and never increases as cOver grows', () => {
    fc.assert(
      fc.property(cost, cost, cost, (c1, c2, other) => {
        const [low, high] = c1 < c2 ? [c1, c2] : [c2, c1];
        expect(alphaFromCosts(low, other)).toBeLessThanOrEqual(alphaFromCosts(high, other));
        expect(alphaFromCosts(other, low)).toBeGreaterThanOrEqual(alphaFromCosts(other, high));
      }),
    );
  });

  it('stays monotone between adjacent floating-point costs (rounding regression)', () => {
    // Found by search: the textbook cUnder/(cUnder + cOver) gives 0.9365514992775555 then
    // 0.9365514992775554 when cUnder moves up by one ulp.
    const cOver = 2.1578894068552623;
    expect(alphaFromCosts(31.852203539153823, cOver)).toBeGreaterThanOrEqual(alphaFromCosts(31.85220353915382, cOver));
  });

  it('strictly increases in cUnder for a clearly larger cost', () => {
    fc.assert(
      fc.property(cost, cost, (cUnder, cOver) => {
        expect(alphaFromCosts(cUnder, cOver)).toBeLessThan(alphaFromCosts(cUnder * 1.01, cOver));
      }),
    );
  });
});
