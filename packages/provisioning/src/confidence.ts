/**
 * Confidence of a forecast over a horizon, from the relative width of its central interval:
 *
 *   confidence = clamp(1 − W / (M + ε), 0, 1)
 *   W = mean over the horizon's steps of (q_hi − q_lo)   (default q0.9 − q0.1)
 *   M = mean over the same steps of the median q0.5
 *
 * A ratio of means, not a mean of ratios: one minute with a near-zero median would otherwise send
 * the whole horizon to zero confidence. ε only keeps 0/0 (a flat all-zero forecast, which is
 * perfectly certain) at confidence 1; any positive width over a zero median gives 0.
 * Wider intervals (larger W at the same M) never give a higher confidence.
 */
export const CONFIDENCE_EPSILON = 1e-12;

export function confidenceFromWidth(meanWidth: number, meanMedian: number): number {
  const c = 1 - meanWidth / (Math.max(0, meanMedian) + CONFIDENCE_EPSILON);
  return Math.min(1, Math.max(0, c));
}
