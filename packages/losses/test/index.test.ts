/** The public surface other packages are written against: a rename here breaks them. */
import { describe, expect, it } from 'vitest';
import * as losses from '../src/index.js';

describe('@tsfm/losses public API', () => {
  it.each([
    'pinball',
    'meanPinball',
    'alphaFromCosts',
    'tierAlpha',
    'isTier',
    'interpolateQuantile',
    'interpolateQuantileRow',
    'weightedQuantileLoss',
    'crpsApprox',
    'seasonalNaiveScale',
    'robustSeasonalScale',
    'scaledPinball',
    'scaleFreePinball',
    'mae',
    'rmse',
    'smape',
    'mase',
    'owa',
    'coverage',
    'meanIntervalWidth',
    'underProvisionedFraction',
    'meanShortfall',
    'meanSlack',
  ])('exports the function %s', (name) => {
    expect(typeof (losses as Record<string, unknown>)[name]).toBe('function');
  });

  it('exports TIERS, SCALE_RELATIVE_EPSILON and LossInputError', () => {
    expect(losses.TIERS.premium).toBe(0.9);
    expect(losses.SCALE_RELATIVE_EPSILON).toBeGreaterThan(0);
    const error = new losses.LossInputError('x');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LossInputError');
  });
});
