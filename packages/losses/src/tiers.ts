/**
 * Service tiers and their pinball levels (design.md §2). A tier's α is the newsvendor critical
 * ratio cUnder / (cUnder + cOver): premium tenants pay dearly for an under-provisioned minute, so
 * they are scored (and provisioned) at a higher quantile.
 */
import { LossInputError } from './errors.js';

export const TIERS = Object.freeze({ premium: 0.9, standard: 0.75, basic: 0.65 } as const);

export type Tier = keyof typeof TIERS;

export function isTier(value: unknown): value is Tier {
  return typeof value === 'string' && Object.hasOwn(TIERS, value);
}

/** The α of a tier. Throws for names that are not tiers (tiers often arrive from JSON). */
export function tierAlpha(tier: Tier): number {
  if (!isTier(tier)) {
    throw new LossInputError(
      `tierAlpha: unknown tier ${JSON.stringify(tier)}; expected one of ${Object.keys(TIERS).join(', ')}`,
    );
  }
  return TIERS[tier];
}

/**
 * α = cUnder / (cUnder + cOver) for per-unit costs of under- and over-provisioning.
 *
 * Evaluated as 1 / (1 + cOver / cUnder): every step is a correctly rounded monotone operation, so
 * the result is non-decreasing in cUnder even in floating point (the textbook quotient is not,
 * because numerator and denominator round independently).
 * Throws when a cost is not a finite positive number, or when the ratio is so extreme that α
 * rounds to 0 or 1 (a pinball loss at α = 0 or 1 ignores one side entirely).
 */
export function alphaFromCosts(cUnder: number, cOver: number): number {
  assertPositiveCost(cUnder, 'cUnder');
  assertPositiveCost(cOver, 'cOver');
  const alpha = 1 / (1 + cOver / cUnder);
  if (!(alpha > 0 && alpha < 1)) {
    throw new LossInputError(
      `alphaFromCosts: cost ratio cUnder/cOver = ${cUnder}/${cOver} is too extreme; α rounds to ${alpha}`,
    );
  }
  return alpha;
}

function assertPositiveCost(cost: number, name: string): void {
  if (!(cost > 0 && Number.isFinite(cost))) {
    throw new LossInputError(`alphaFromCosts: ${name} must be a finite positive cost, got ${cost}`);
  }
}
