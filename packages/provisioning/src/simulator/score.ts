/**
 * Scoring a replay, one (demand, capacity) step at a time. Sums only, so tenants and policies
 * aggregate by adding and the derived rates are computed once at the end.
 *
 * Definitions (per step with observed demand d and capacity c):
 *   slack fraction   max(0, c − d) / c   (0 when c = 0: nothing was provisioned, nothing wasted)
 *   violation        d > c, strictly
 *   shortfall        max(0, d − c)       (demand left unserved, in the metric's units)
 *   excess           max(0, c − d)       (capacity paid for and unused)
 *   cost             cUnder · Σ shortfall + cOver · Σ excess
 * A step whose demand is missing (NaN) is not scored: it neither wastes nor violates anything we
 * can know about.
 */

export interface ReplayScore {
  /** Scored steps (observed demand). */
  readonly steps: number;
  readonly slackFractionSum: number;
  readonly violations: number;
  readonly shortfallSum: number;
  readonly excessSum: number;
  readonly demandSum: number;
  readonly capacitySum: number;
  /** Decisions taken and how many of them changed the capacity (actuations). */
  readonly decisions: number;
  readonly changes: number;
  /** Wall-clock ms spent inside `decide`, summed. */
  readonly decideMs: number;
}

export const EMPTY_SCORE: ReplayScore = Object.freeze({
  steps: 0,
  slackFractionSum: 0,
  violations: 0,
  shortfallSum: 0,
  excessSum: 0,
  demandSum: 0,
  capacitySum: 0,
  decisions: 0,
  changes: 0,
  decideMs: 0,
});

export class ScoreAccumulator {
  steps = 0;
  slackFractionSum = 0;
  violations = 0;
  shortfallSum = 0;
  excessSum = 0;
  demandSum = 0;
  capacitySum = 0;
  decisions = 0;
  changes = 0;
  decideMs = 0;

  /** Score one step; `demand` NaN = missing (skipped). */
  step(demand: number, capacity: number): void {
    if (Number.isNaN(demand)) return;
    this.steps++;
    this.demandSum += demand;
    this.capacitySum += capacity;
    if (demand > capacity) {
      this.violations++;
      this.shortfallSum += demand - capacity;
    } else {
      const excess = capacity - demand;
      this.excessSum += excess;
      if (capacity > 0) this.slackFractionSum += excess / capacity;
    }
  }

  decided(previous: number, next: number, ms: number): void {
    this.decisions++;
    if (next !== previous) this.changes++;
    this.decideMs += ms;
  }

  result(): ReplayScore {
    return {
      steps: this.steps,
      slackFractionSum: this.slackFractionSum,
      violations: this.violations,
      shortfallSum: this.shortfallSum,
      excessSum: this.excessSum,
      demandSum: this.demandSum,
      capacitySum: this.capacitySum,
      decisions: this.decisions,
      changes: this.changes,
      decideMs: this.decideMs,
    };
  }
}

export function addScores(a: ReplayScore, b: ReplayScore): ReplayScore {
  return {
    steps: a.steps + b.steps,
    slackFractionSum: a.slackFractionSum + b.slackFractionSum,
    violations: a.violations + b.violations,
    shortfallSum: a.shortfallSum + b.shortfallSum,
    excessSum: a.excessSum + b.excessSum,
    demandSum: a.demandSum + b.demandSum,
    capacitySum: a.capacitySum + b.capacitySum,
    decisions: a.decisions + b.decisions,
    changes: a.changes + b.changes,
    decideMs: a.decideMs + b.decideMs,
  };
}

/** Mean over-provisioned fraction of capacity. */
export const slackOf = (s: ReplayScore): number => (s.steps === 0 ? Number.NaN : s.slackFractionSum / s.steps);
/** Fraction of steps with demand above capacity. */
export const violationRateOf = (s: ReplayScore): number => (s.steps === 0 ? Number.NaN : s.violations / s.steps);
/** Mean unserved demand per step, in the metric's units. */
export const meanShortfallOf = (s: ReplayScore): number => (s.steps === 0 ? Number.NaN : s.shortfallSum / s.steps);
/** Total cost of a replay for per-unit-step costs. */
export const costOf = (s: ReplayScore, costs: Costs): number => costs.under * s.shortfallSum + costs.over * s.excessSum;

/** Per unit of demand per step: what one step of shortfall / excess costs. */
export interface Costs {
  readonly under: number;
  readonly over: number;
}
