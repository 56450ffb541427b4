import { describe, expect, it } from 'vitest';
import { fillMissing, prepareInput } from '../src/input.js';
import { ForecastInputError } from '../src/types.js';

describe('fillMissing', () => {
  it('drops leading NaNs and interpolates interior gaps linearly without a period', () => {
    expect(Array.from(fillMissing([NaN, NaN, 1, NaN, NaN, 4]))).toEqual([1, 2, 3, 4]);
  });

  it('copies the value one period earlier when the period is known', () => {
    expect(Array.from(fillMissing([1, 2, 3, 1, NaN, 3, NaN], 3))).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });

  it('carries the last value forward over a trailing gap and treats ±Infinity as missing', () => {
    expect(Array.from(fillMissing([1, 2, Infinity, NaN]))).toEqual([1, 2, 2, 2]);
  });
});

describe('prepareInput', () => {
  const history = Float32Array.from([1, 2, 3]);

  it('rejects an all-missing history, a bad horizon, bad levels and a bad period', () => {
    expect(() => prepareInput({ history: Float32Array.from([NaN, NaN]), horizon: 1 })).toThrow(ForecastInputError);
    expect(() => prepareInput({ history, horizon: 0 })).toThrow(/horizon/);
    expect(() => prepareInput({ history, horizon: 1.5 })).toThrow(/horizon/);
    expect(() => prepareInput({ history, horizon: 1, levels: [0.5, 0.1] })).toThrow(/increasing/);
    expect(() => prepareInput({ history, horizon: 1, levels: [0, 0.5] })).toThrow(/\(0, 1\)/);
    expect(() => prepareInput({ history, horizon: 1, period: 0 })).toThrow(/period/);
  });

  it('reports how many leading points were dropped', () => {
    expect(prepareInput({ history: Float32Array.from([NaN, 5, 6]), horizon: 2 }).offset).toBe(1);
  });
});
