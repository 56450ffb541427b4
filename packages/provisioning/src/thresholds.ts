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

/**
 * `adjust_thresholds` (the seed TTM autoscaler's AdjustThresholds): the target moved by more than
 * `reactive.moderateChange` but stayed inside the dead band — not worth a scaling action, but
 * worth telling the reactive autoscaler (an HPA's target utilisation) to act sooner on a rise
 * ahead, or later on a fall ahead.
 */
export type Action = 'scale_up' | 'scale_down' | 'hold' | 'adjust_thresholds';

/** Utilisation thresholds of the reactive autoscaler this recommender advises. */
export interface ReactiveThresholds {
  readonly scaleUpUtilisation: number;
  readonly scaleDownUtilisation: number;
}

export interface ReactiveOptions extends ReactiveThresholds {
  /** Relative target change (|target / current − 1|) from which adjust_thresholds replaces hold. */
  readonly moderateChange: number;
}

/**
 * The seed's bounds on adjusted thresholds: a reactive controller is never told to scale up below
 * 50 % or down above 40 %.
 */
export const ADJUSTED_THRESHOLD_BOUNDS = Object.freeze({
  scaleUp: [0.5, 0.9] as const,
  scaleDown: [0.1, 0.4] as const,
});

/**
 * The seed's rule: each threshold moves against the predicted change by half of it, within
 * ADJUSTED_THRESHOLD_BOUNDS. Here the change is relative (target / current − 1), so a forecast 8 %
 * above the allocation lowers a 0.8 scale-up threshold to 0.76.
 */
export function adjustedReactiveThresholds(relativeChange: number, reactive: ReactiveThresholds): ReactiveThresholds {
  const clamp = (x: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, x));
  return {
    scaleUpUtilisation: clamp(reactive.scaleUpUtilisation - relativeChange / 2, ADJUSTED_THRESHOLD_BOUNDS.scaleUp),
    scaleDownUtilisation: clamp(
      reactive.scaleDownUtilisation - relativeChange / 2,
      ADJUSTED_THRESHOLD_BOUNDS.scaleDown,
    ),
  };
}

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
  /** The reactive autoscaler's suggested thresholds (adjust_thresholds only). */
  readonly reactiveThresholds: ReactiveThresholds | null;
}

/** The action for one metric at one horizon. Strict inequalities: on the band edge, hold. */
export function decideAction(
  target: number,
  current: number,
  thresholds: Thresholds,
  confidence: number,
  confidenceFloor: number,
  reactive?: ReactiveOptions,
): ActionDecision {
  if (confidence < confidenceFloor) {
    return {
      action: 'hold',
      lowConfidence: true,
      reactiveThresholds: null,
      reason: `confidence ${fmt(confidence)} is below the floor ${fmt(confidenceFloor)}; holding at ${fmt(current)}`,
    };
  }
  const upEdge = current * (1 + thresholds.up);
  const downEdge = current * (1 - thresholds.down);
  if (target > upEdge) {
    return {
      action: 'scale_up',
      lowConfidence: false,
      reactiveThresholds: null,
      reason: `target ${fmt(target)} > ${fmt(upEdge)} = current ${fmt(current)} × (1 + ${fmt(thresholds.up)})`,
    };
  }
  if (target < downEdge) {
    return {
      action: 'scale_down',
      lowConfidence: false,
      reactiveThresholds: null,
      reason: `target ${fmt(target)} < ${fmt(downEdge)} = current ${fmt(current)} × (1 − ${fmt(thresholds.down)})`,
    };
  }
  const band = `target ${fmt(target)} is within [${fmt(downEdge)}, ${fmt(upEdge)}] around current ${fmt(current)}`;
  const change = current > 0 ? target / current - 1 : 0;
  if (reactive !== undefined && Math.abs(change) > reactive.moderateChange) {
    const adjusted = adjustedReactiveThresholds(change, reactive);
    return {
      action: 'adjust_thresholds',
      lowConfidence: false,
      reactiveThresholds: adjusted,
      reason:
        `${band} but ${change > 0 ? '+' : ''}${fmt(100 * change)} % away (more than ${fmt(100 * reactive.moderateChange)} %): ` +
        `reactive thresholds up ${fmt(reactive.scaleUpUtilisation)} → ${fmt(adjusted.scaleUpUtilisation)}, ` +
        `down ${fmt(reactive.scaleDownUtilisation)} → ${fmt(adjusted.scaleDownUtilisation)}`,
    };
  }
  return { action: 'hold', lowConfidence: false, reactiveThresholds: null, reason: band };
}
