import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ForecastRequestError,
  fitScaling,
  fromModelSpace,
  newScaling,
  toModelSpace,
  type ModelScaling,
  type Normalisation,
} from '../src/index.js';

const kinds: Normalisation[] = ['none', 'mean-std', 'last-value', 'log1p'];
const modelScalings: ModelScaling[] = ['none', 'mean-std', 'mean-abs'];

const series = fc.array(fc.float({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 64 });

describe('normalisation', () => {
  it('property: denormalise ∘ normalise ≈ identity for every kind and model scaling', () => {
    fc.assert(
      fc.property(series, fc.constantFrom(...kinds), fc.constantFrom(...modelScalings), (xs, kind, model) => {
        const values = Float64Array.from(xs);
        const s = fitScaling(values, 0, values.length, kind, model, newScaling());
        for (const x of values) {
          const back = fromModelSpace(toModelSpace(x, s), s);
          expect(Math.abs(back - x)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x)));
        }
      }),
    );
  });

  it('property: the inverse is increasing, so quantiles stay quantiles', () => {
    fc.assert(
      fc.property(
        series,
        fc.constantFrom(...kinds),
        fc.constantFrom(...modelScalings),
        fc.float({ min: -5, max: 5, noNaN: true }),
        fc.float({ min: -5, max: 5, noNaN: true }),
        (xs, kind, model, a, b) => {
          const s = fitScaling(Float64Array.from(xs), 0, xs.length, kind, model, newScaling());
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(fromModelSpace(lo, s)).toBeLessThanOrEqual(fromModelSpace(hi, s));
        },
      ),
    );
  });

  it('mean-std gives the observed context zero mean and unit std, ignoring NaN', () => {
    const values = [1, 2, Number.NaN, 3, 4, 5];
    const s = fitScaling(values, 0, values.length, 'mean-std', 'none', newScaling());
    expect(s.shift).toBeCloseTo(3, 12);
    expect(s.scale).toBeCloseTo(Math.sqrt(2), 12);
  });

  it('last-value subtracts the last observed value', () => {
    const s = fitScaling([5, 7, Number.NaN], 0, 3, 'last-value', 'none', newScaling());
    expect(toModelSpace(7, s)).toBe(0);
    expect(toModelSpace(5, s)).toBe(-2);
  });

  it('log1p maps through expm1 and composes with a model that wants mean-abs input', () => {
    const s = fitScaling([0, Math.E - 1], 0, 2, 'log1p', 'mean-abs', newScaling());
    expect(s.scale).toBeCloseTo(0.5, 12); // mean |log1p(x)| = (0 + 1) / 2
    expect(toModelSpace(Math.E - 1, s)).toBeCloseTo(2, 12);
  });

  it('a constant series does not divide by a rounding-sized std', () => {
    const s = fitScaling(new Float32Array(10).fill(0.1), 0, 10, 'mean-std', 'mean-std', newScaling());
    expect(s.scale).toBe(1);
    expect(toModelSpace(0.1, s)).toBeCloseTo(0, 6);
  });

  it('log1p refuses negative history with the row number', () => {
    expect(() => fitScaling([1, -0.5], 0, 2, 'log1p', 'none', newScaling(), 4)).toThrow(ForecastRequestError);
    expect(() => fitScaling([1, -0.5], 0, 2, 'log1p', 'none', newScaling(), 4)).toThrow(/row 4: log1p .*non-negative/);
  });

  it('fits only values[from, from + n)', () => {
    const s = fitScaling([100, 100, 1, 3], 2, 2, 'mean-std', 'none', newScaling());
    expect(s.shift).toBe(2);
    expect(s.scale).toBe(1);
  });

  it('an all-missing context is an error, not a NaN forecast', () => {
    expect(() => fitScaling([Number.NaN, Number.NaN], 0, 2, 'none', 'none', newScaling(), 0)).toThrow(
      /no observed value/,
    );
  });
});
