import { describe, expect, it } from 'vitest';
import { calibrateCostModel, CostModel } from '../src/index.js';
import { FakeForecaster, naive } from './helpers/fake-forecaster.js';
import { DEFAULT_CONFIG } from '@tsfm/tsfm-client';

describe('CostModel', () => {
  it('recovers fixed + per-row latency from observations at several batch sizes', () => {
    const model = new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 });
    for (let i = 0; i < 40; i++) for (const rows of [8, 64, 256]) model.observeModel(rows, 0.5 + 0.02 * rows);
    expect(model.coefficients.fixedMs).toBeCloseTo(0.5, 6);
    expect(model.coefficients.perRowMs).toBeCloseTo(0.02, 8);
    expect(model.predictModelMs(100)).toBeCloseTo(2.5, 6);
  });

  it('keeps the slope when recent calls all have one batch size, and re-centres the intercept', () => {
    const model = new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }, { decay: 0.2 });
    for (const rows of [8, 64, 256]) model.observeModel(rows, 0.5 + 0.02 * rows);
    // The machine gets slower by 3 ms per call, at a single batch size.
    for (let i = 0; i < 200; i++) model.observeModel(192, 3.5 + 0.02 * 192);
    expect(model.coefficients.perRowMs).toBeGreaterThan(0);
    expect(model.predictModelMs(192)).toBeCloseTo(3.5 + 0.02 * 192, 3);
  });

  it('stays unbiased at the usual batch size when a steep slope would need a negative intercept', () => {
    const model = new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }, { decay: 0.1 });
    // Fast small warm-up calls, then slow real calls at one size (a loaded machine).
    for (const rows of [1, 16, 64, 128]) model.observeModel(rows, 0.05 + 0.005 * rows);
    for (let i = 0; i < 300; i++) model.observeModel(192, 10);
    expect(model.coefficients.fixedMs).toBeGreaterThanOrEqual(0);
    expect(model.predictModelMs(192)).toBeCloseTo(10, 6);
  });

  it('follows a per-row slow-down (exponential forgetting)', () => {
    const model = new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }, { decay: 0.1 });
    for (let i = 0; i < 50; i++) for (const rows of [16, 128]) model.observeModel(rows, 1 + 0.01 * rows);
    for (let i = 0; i < 100; i++) for (const rows of [16, 128]) model.observeModel(rows, 1 + 0.05 * rows);
    expect(model.coefficients.perRowMs).toBeCloseTo(0.05, 3);
  });

  it('largestAffordablePrefix: the longest prefix that fits, never less than 1', () => {
    const model = new CostModel({ fixedMs: 1, perRowMs: 0.1, overheadMs: 0 });
    const prefixRows = [8, 8, 16, 24, 24, 40];
    expect(model.largestAffordablePrefix(prefixRows, 100)).toBe(6);
    expect(model.largestAffordablePrefix(prefixRows, 3.45)).toBe(5); // 1 + 0.1·24 = 3.4 fits, 40 rows do not
    expect(model.largestAffordablePrefix(prefixRows, 2.0)).toBe(2); // a free variant rides along
    expect(model.largestAffordablePrefix(prefixRows, 0)).toBe(1);
  });

  it('post-call overhead: the first request replaces the initial guess, then an EMA', () => {
    const model = new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 5 }, { decay: 0.5 });
    model.observeOverhead(1);
    expect(model.coefficients.overheadMs).toBe(1);
    model.observeOverhead(3);
    expect(model.coefficients.overheadMs).toBe(2);
  });

  it('calibrates from warm-up calls at several batch sizes (first round discarded)', async () => {
    const fake = new FakeForecaster(naive);
    const model = await calibrateCostModel(fake, { ...DEFAULT_CONFIG }, { batchSizes: [1, 4], rounds: 3 });
    expect(fake.calls).toBe(6);
    expect(fake.batches.map((b) => b.length)).toEqual([1, 4, 1, 4, 1, 4]);
    expect(model.observations).toBe(4);
    expect(model.predictModelMs(10)).toBeGreaterThanOrEqual(0);
  });
});
