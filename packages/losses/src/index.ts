/**
 * @tsfm/losses — cost-aware losses and forecast metrics (design.md §2).
 *
 * Conventions shared by every function: inputs are ArrayLike<number> (number[], Float32Array,
 * Float64Array); NaN in an actual series means "missing" and the point is skipped, with NaN
 * returned when nothing is left; mismatched lengths, empty horizons and α outside (0, 1) throw
 * LossInputError.
 */
export { LossInputError } from './errors.js';
export { pinball, meanPinball } from './pinball.js';
export { TIERS, type Tier, isTier, tierAlpha, alphaFromCosts } from './tiers.js';
export { interpolateQuantile, interpolateQuantileRow, quantileBracket, quantileAtStep } from './quantiles.js';
export { weightedQuantileLoss, crpsApprox } from './quantile-metrics.js';
export {
  SCALE_RELATIVE_EPSILON,
  seasonalNaiveScale,
  robustSeasonalScale,
  scaledPinball,
  scaleFreePinball,
} from './scaling.js';
export { mae, rmse, smape, mase, owa } from './point-metrics.js';
export { coverage, meanIntervalWidth } from './interval-metrics.js';
export { underProvisionedFraction, meanShortfall, meanSlack } from './provisioning-metrics.js';
