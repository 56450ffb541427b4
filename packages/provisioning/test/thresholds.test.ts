import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIERS } from '@tsfm/losses';
import {
  MAX_DOWN_THRESHOLD,
  adjustThresholds,
  createRecommender,
  decideAction,
  adjustedReactiveThresholds,
  type Recommendation,
} from '../src/index.js';
import { constant, cpuInput, normalForecast } from './fixtures.js';

const base = { up: 0.1, down: 0.2 };

describe('adjustThresholds (tier and confidence)', () => {
  it('leaves the base band for a standard tenant at full confidence', () => {
    expect(adjustThresholds(base, TIERS.standard, 1)).toEqual(base);
  });

  it('makes a premium tenant scale up more eagerly and down more reluctantly', () => {
    const premium = adjustThresholds(base, TIERS.premium, 1);
    expect(premium.up).toBeCloseTo(0.1 * (0.75 / 0.9), 12);
    expect(premium.down).toBeCloseTo(0.2 * (0.25 / 0.1), 12);
    const basic = adjustThresholds(base, TIERS.basic, 1);
    expect(basic.up).toBeGreaterThan(base.up);
    expect(basic.down).toBeLessThan(base.down);
  });

  it('widens the band as confidence falls: ×1 at 1, ×2 at 0', () => {
    expect(adjustThresholds(base, 0.75, 0).up).toBeCloseTo(0.2, 12);
    expect(adjustThresholds(base, 0.75, 0.5).down).toBeCloseTo(0.3, 12);
  });

  it('caps the down threshold below 1 so scale_down stays possible', () => {
    expect(adjustThresholds({ up: 0.1, down: 0.9 }, 0.99, 0).down).toBe(MAX_DOWN_THRESHOLD);
  });

  it('is monotone: higher α never raises up nor lowers down; lower confidence never narrows (property)', () => {
    const a = fc.double({ min: 0.01, max: 0.99, noNaN: true });
    const c = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(a, a, c, c, (a1, a2, c1, c2) => {
        const [lo, hi] = a1 <= a2 ? [a1, a2] : [a2, a1];
        const tLo = adjustThresholds(base, lo, c1);
        const tHi = adjustThresholds(base, hi, c1);
        const [cLo, cHi] = c1 <= c2 ? [c1, c2] : [c2, c1];
        const unsure = adjustThresholds(base, a1, cLo);
        const sure = adjustThresholds(base, a1, cHi);
        return tHi.up <= tLo.up && tHi.down >= tLo.down && unsure.up >= sure.up && unsure.down >= sure.down;
      }),
    );
  });
});

describe('decideAction', () => {
  const band = { up: 0.25, down: 0.5 };

  it('scales up above current·(1 + up), down below current·(1 − down), holds on the edges', () => {
    expect(decideAction(126, 100, band, 1, 0.25).action).toBe('scale_up');
    expect(decideAction(125, 100, band, 1, 0.25).action).toBe('hold');
    expect(decideAction(50, 100, band, 1, 0.25).action).toBe('hold');
    expect(decideAction(49, 100, band, 1, 0.25).action).toBe('scale_down');
  });

  it('holds below the confidence floor whatever the target, and says so', () => {
    const d = decideAction(1000, 100, band, 0.2, 0.25);
    expect(d).toMatchObject({ action: 'hold', lowConfidence: true });
    expect(d.reason).toMatch(/confidence 0.2 is below the floor 0.25/);
    expect(decideAction(1000, 100, band, 0.25, 0.25).action).toBe('scale_up');
  });

  it('puts the numbers in the reason', () => {
    expect(decideAction(130, 100, band, 1, 0).reason).toBe('target 130 > 125 = current 100 × (1 + 0.25)');
  });
});

describe('hysteresis through the recommender', () => {
  // Standard tier, flat forecasts (confidence 1): the band is exactly the base one.
  const rec = createRecommender({ upThreshold: 0.25, downThreshold: 0.5 });
  const action = (forecast: number, current: number) =>
    (rec.recommend(cpuInput({ forecast, current })) as Recommendation).action;

  it('does not chase a target that wanders inside the band after a scale-up (capacity holds)', () => {
    let current = 100;
    expect(action(130, current)).toBe('scale_up');
    current = 130; // the simulator applies the target
    expect(action(130, current)).toBe('hold');
    // Inside the band but more than 5 % away: advice for the reactive autoscaler, no capacity change.
    for (const t of [140, 120, 162, 70]) expect(action(t, current)).toBe('adjust_thresholds');
    expect(action(163, current)).toBe('scale_up');
    expect(action(64, current)).toBe('scale_down');
  });

  it('holds a premium tenant where a basic one already scales down', () => {
    // target ≈ 55: basic's down edge is 100·(1 − 0.5·(0.25/0.35)·~1.02) ≈ 64, premium's is capped at
    // 100·(1 − 0.95) = 5.
    const f = normalForecast(constant(30, 55), 0.5);
    const premium = rec.recommend(cpuInput({ forecast: f, current: 100, alpha: 0.9 })) as Recommendation;
    const basic = rec.recommend(cpuInput({ forecast: f, current: 100, alpha: 0.65 })) as Recommendation;
    expect(premium.action).toBe('adjust_thresholds'); // no scale-down, but a fall ahead: thresholds up
    expect(premium.reactiveThresholds).toEqual({ scaleUpUtilisation: 0.9, scaleDownUtilisation: 0.4 });
    expect(basic.action).toBe('scale_down');
    expect(basic.reactiveThresholds).toBeNull();
  });
});

describe('adjust_thresholds (the seed TTM autoscaler action)', () => {
  const band = { up: 0.25, down: 0.5 };
  const reactive = { scaleUpUtilisation: 0.8, scaleDownUtilisation: 0.3, moderateChange: 0.05 };

  it('inside the band, a change beyond moderateChange moves the thresholds against it by half', () => {
    const rise = decideAction(110, 100, band, 1, 0.7, reactive); // +10 %
    expect(rise.action).toBe('adjust_thresholds');
    expect(rise.reactiveThresholds!.scaleUpUtilisation).toBeCloseTo(0.75, 12);
    expect(rise.reactiveThresholds!.scaleDownUtilisation).toBeCloseTo(0.25, 12);
    expect(rise.reason).toMatch(/\+10 % away .* reactive thresholds up 0.8 → 0.75, down 0.3 → 0.25/);
    expect(decideAction(104, 100, band, 1, 0.7, reactive).action).toBe('hold'); // +4 %: not moderate
  });

  it('keeps adjusted thresholds within the seed bounds (up 0.5–0.9, down 0.1–0.4)', () => {
    expect(adjustedReactiveThresholds(2, reactive)).toEqual({ scaleUpUtilisation: 0.5, scaleDownUtilisation: 0.1 });
    expect(adjustedReactiveThresholds(-2, reactive)).toEqual({ scaleUpUtilisation: 0.9, scaleDownUtilisation: 0.4 });
  });

  it('never advises below the confidence floor, and outside the band scales instead', () => {
    expect(decideAction(110, 100, band, 0.5, 0.7, reactive).action).toBe('hold');
    expect(decideAction(130, 100, band, 1, 0.7, reactive).action).toBe('scale_up');
  });

  it('a tenant adjusts thresholds when no metric scales up and not all scale down', () => {
    const rec = createRecommender({ upThreshold: 0.25, downThreshold: 0.5 });
    const r = rec.recommend(cpuInput({ forecast: 110, current: 100 })) as Recommendation;
    expect(r.action).toBe('adjust_thresholds');
    expect(r.reactiveThresholds).toEqual(r.metrics.cpu.decision.reactiveThresholds);
  });
});
