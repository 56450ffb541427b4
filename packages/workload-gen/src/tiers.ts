/**
 * The tier mix of a synthetic fleet. The tiers and their α come from @tsfm/losses (design.md §2);
 * only the share of each tier in a fleet is the generator's own choice.
 */
import { TIERS as TIER_ALPHA_BY_NAME, type Tier } from '@tsfm/losses';

export type { Tier };

/** Tier names in a fixed order: tier draws iterate it, so the order is part of the byte format. */
export const TIER_NAMES = ['premium', 'standard', 'basic'] as const satisfies readonly Tier[];

export const TIER_ALPHA: Readonly<Record<Tier, number>> = TIER_ALPHA_BY_NAME;

/**
 * Fleet mix of tiers. Our choice (the study gives none): most tenants buy the middle tier,
 * a minority pays for premium headroom, the rest take the cheapest plan.
 */
export const TIER_SHARE: Readonly<Record<Tier, number>> = { premium: 0.2, standard: 0.5, basic: 0.3 };
