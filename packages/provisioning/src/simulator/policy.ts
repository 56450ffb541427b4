/**
 * The contract between the replay loop and a capacity policy — the whole of it.
 *
 * Design note: nothing here knows about models, files or metrics. A policy sees the demand
 * observed so far and answers with capacity; the TSFM-backed policies (harness, fixed config)
 * reach their model through a `QuantileSource` that the caller builds (the CLI), so this package
 * keeps depending on @tsfm/losses and zod only.
 *
 * Time is counted in steps of the trace's grid: a step is a minute on the synthetic fleet and
 * five minutes on NAB. Horizons and decision intervals are converted to steps once, by the
 * caller, so no policy has to reason about wall-clock units except through `stepMinutes`.
 */

/** A capacity level held until the next decision, or one capacity per step (length ≥ the steps until then). */
export type CapacityDecision = number | Float32Array;

/** What a policy knows at a decision besides the history. */
export interface DecisionContext {
  /** Capacity in effect now: the previous decision, or the replay's initial allocation. */
  readonly current: number;
  /** The tenant's pinball level (its tier), which also sets its cost ratio. */
  readonly alpha: number;
  /** Minutes per step of the trace (1 on the synthetic fleet, 5 on NAB). */
  readonly stepMinutes: number;
  /** Index of the decision within the replay (0, 1, …): a deterministic per-decision seed. */
  readonly decision: number;
}

export interface CapacityPolicy {
  /**
   * Capacity for the next `horizonSteps` steps. `history` is demand[0, now) with NaN for a
   * missing step; it is a view into the trace, valid only during the call (copy what you keep).
   */
  decide(
    history: Float32Array,
    horizonSteps: number,
    context: DecisionContext,
  ): CapacityDecision | Promise<CapacityDecision>;
}

/** The tenant a policy instance is created for. */
export interface PolicyTenant {
  readonly id: string;
  readonly alpha: number;
  readonly stepMinutes: number;
}

/** Replay settings a policy may need when it is built (the recommender's horizons). */
export interface ReplaySettings {
  readonly decisionEverySteps: number;
  readonly horizonSteps: number;
}

/** A named policy: a factory of one stateful instance per replayed tenant. */
export interface PolicySpec {
  /** Row label in the report, e.g. `vpa`, `harness`, `harness@0.95`. */
  readonly name: string;
  /** Group for the chart (`harness` sweep points share one line). */
  readonly family: string;
  /** The α it provisions at: a number for sweep points, `tier` for the tenant's own, null for none. */
  readonly alpha: number | 'tier' | null;
  create(tenant: PolicyTenant, settings: ReplaySettings): CapacityPolicy;
}
