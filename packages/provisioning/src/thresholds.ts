/**
 * The dead band around the current allocation, and the action it implies.
 *
 * Base thresholds (options.upThreshold u₀, options.downThreshold d₀) are those of a standard-tier
 * tenant (α_ref = 0.75) at full confidence. They are adjusted by tier and by confidence:
 *
 *   up   = u₀ · (α_ref / α)             · (2 − c)
 *   down = min(d₀ · ((1 − α_ref) / (1 − α)) · (2 − c), 0.95)
 *
 * Tier: a scaling action has a roughly fixed cost (churn, cold caches). An under-provisioned gap δ
 * costs ∝ α·δ per minute and an over-provisioned one ∝ (1 − α)·δ (the pinball weights), so the gap
 * worth paying that cost for is ∝ 1/α upward and ∝ 1/(1 − α) downward. A premium tenant
 * (α = 0.9) therefore scales up on a gap 0.83× the standard one and down only on a gap 2.5× it;
 * a basic tenant (0.65) 1.15× and 0.71×.
 * Confidence c ∈ [0, 1]: an uncertain forecast has a noisy target, so the band widens (×1 at
 * c = 1, ×2 at c = 0) instead of chasing noise. The down threshold is capped below 1 so a
 * scale-down stays possible at all.
 *
 * The band is the hysteresis: after scaling to T, the next call holds until the target leaves
 * [T·(1 − down), T·(1 + up)] — the "current allocation" is the recommender's only state.
 */
import { TIERS } from '@tsfm/losses';
import { fmt } from './format.js';

export type Action = 'scale_up' | 'scale_down' | 'hold';

export interface Thresholds {
  readonly up: number;
  readonly down: number;
}

/** The standard tier's α: base thresholds are stated for it. */
export const REFERENCE_ALPHA = TIERS.standard;
/** A down threshold of 1 would make scale_down impossible (target < 0). */
export const MAX_DOWN_THRESHOLD = 0.95;

export function adjustThresholds(base: Thresholds, alpha: number, confidence: number): Thresholds {
  const spread = 2 - Math.min(1, Math.max(0, confidence));
  return {
    up: base.up * (REFERENCE_ALPHA / alpha) * spread,
    down: Math.min(base.down * ((1 - REFERENCE_ALPHA) / (1 - alpha)) * spread, MAX_DOWN_THRESHOLD),
  };
}

export interface ActionDecision {
  readonly action: Action;
  /** Why, with the numbers, in one sentence an operator can read. */
  readonly reason: string;
  /** True when the hold comes from the confidence floor (not from the dead band). */
  readonly lowConfidence: boolean;
}

/** The action for one metric at one horizon. Strict inequalities: on the band edge, hold. */
export function decideAction(
  target: number,
  current: number,
  thresholds: Thresholds,
  confidence: number,
  confidenceFloor: number,
): ActionDecision {
  if (confidence < confidenceFloor) {
    return {
      action: 'hold',
      lowConfidence: true,
      reason: `confidence ${fmt(confidence)} is below the floor ${fmt(confidenceFloor)}; holding at ${fmt(current)}`,
    };
  }
  const upEdge = current * (1 + thresholds.up);
  const downEdge = current * (1 - thresholds.down);
  if (target > upEdge) {
    return {
      action: 'scale_up',
      lowConfidence: false,
      reason: `target ${fmt(target)} > ${fmt(upEdge)} = current ${fmt(current)} × (1 + ${fmt(thresholds.up)})`,
    };
  }
  if (target < downEdge) {
    return {
      action: 'scale_down',
      lowConfidence: false,
      reason: `target ${fmt(target)} < ${fmt(downEdge)} = current ${fmt(current)} × (1 − ${fmt(thresholds.down)})`,
    };
  }
  return {
    action: 'hold',
    lowConfidence: false,
    reason: `target ${fmt(target)} is within [${fmt(downEdge)}, ${fmt(upEdge)}] around current ${fmt(current)}`,
  };
}
