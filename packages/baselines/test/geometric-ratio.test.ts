import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { geometricMeanMaseRatio, seriesOf, type TaskScore } from '../src/evaluate/score.js';

const score = (mase: number): TaskScore => ({ smape: 0, mase, crps: 0, pinball90: 0, coverage80: 0 });

describe('geometric-mean MASE ratio', () => {
  it('averages windows per series first, then takes the geometric mean of the series ratios', () => {
    const ids = ['a@1', 'a@2', 'b@1'];
    // a: mean 2 vs 1 → ratio 2; b: 1 vs 4 → ratio 0.25; geometric mean √(2 × 0.25) = 0.7071…
    const model = [score(1), score(3), score(1)];
    const ref = [score(1), score(1), score(4)];
    expect(geometricMeanMaseRatio(ids, model, ref)).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('is not dominated by one exploding series, unlike the arithmetic mean', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const model = [score(0.8), score(0.8), score(0.8), score(40)];
    const ref = [score(1), score(1), score(1), score(10)];
    const geo = geometricMeanMaseRatio(ids, model, ref);
    expect(geo).toBeLessThan(1.2);
    expect((0.8 * 3 + 40) / (1 * 3 + 10)).toBeGreaterThan(3);
  });

  it('skips windows with a non-finite MASE and series with a zero mean', () => {
    const ids = ['a@1', 'a@2', 'z'];
    const model = [score(2), score(Infinity), score(0)];
    const ref = [score(1), score(1), score(0)];
    expect(geometricMeanMaseRatio(ids, model, ref)).toBeCloseTo(2, 12);
  });

  it('is 1 for the reference itself and scales with a constant factor (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (maseValues, factor) => {
          const ids = maseValues.map((_, i) => `s${i}`);
          const ref = maseValues.map(score);
          expect(geometricMeanMaseRatio(ids, ref, ref)).toBeCloseTo(1, 9);
          const scaled = maseValues.map((v) => score(v * factor));
          expect(geometricMeanMaseRatio(ids, scaled, ref)).toBeCloseTo(factor, 6);
        },
      ),
    );
  });

  it('reads the series from a rolling-origin task id', () => {
    expect(seriesOf('ec2_cpu@3456')).toBe('ec2_cpu');
    expect(seriesOf('H1')).toBe('H1');
  });
});
