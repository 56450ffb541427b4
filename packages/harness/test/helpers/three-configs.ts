/**
 * Three configs of different families and a cost model that makes nothing expensive: the small grid
 * the selection and final-guard tests search, so that "X", "Y" and "Z" mean the same in both.
 */
import { parseConfig, type ForecastConfig } from '@tsfm/tsfm-client';
import { CostModel } from '../../src/index.js';

/** A cost model under which the latency budget never lowers K. */
export const FREE = (): CostModel => new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 });

export const cfg = (over: Partial<ForecastConfig>): ForecastConfig =>
  parseConfig({
    contextLength: 256,
    resolutionMinutes: 1,
    normalisation: 'none',
    flip: false,
    clampNonNegative: true,
    fixCrossing: true,
    ...over,
  });

export const X = cfg({ contextLength: 128, resolutionMinutes: 5, normalisation: 'mean-std' });
export const Y = cfg({ contextLength: 64, resolutionMinutes: 15, normalisation: 'last-value', flip: true });
export const Z = cfg({ contextLength: 256, resolutionMinutes: 1, normalisation: 'log1p' });
export const GRID = [X, Y, Z];
