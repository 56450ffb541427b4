/**
 * When the research loop stops, decided in code rather than left to the planner's judgement:
 * any hard cap (experiments, wall-clock hours, planning dollars), or a plateau — once the seed
 * experiments are done, the best metric has not improved by more than a relative epsilon over
 * the last `patience` planning rounds. Pure: the loop passes the numbers, this returns a reason.
 */

export interface StopRuleInput {
  /** True once every seed experiment (the baselines run before planning starts) has finished. */
  readonly seedExperimentsDone: boolean;
  /**
   * Best metric so far (lower is better; null while none exists), sampled once after the seed
   * experiments and then after each planning round: entry 0 is the post-seed best, entry i the
   * best after round i.
   */
  readonly bestAfterRound: readonly (number | null)[];
  readonly patience: number;
  /** An improvement counts only when it exceeds this fraction of the earlier best. Default 0.001. */
  readonly relativeEpsilon?: number;
  readonly experiments: number;
  readonly maxExperiments: number;
  readonly elapsedHours: number;
  readonly maxHours: number;
  readonly dollars: number;
  readonly maxDollars: number;
}

export type StopReason = 'max-experiments' | 'max-hours' | 'max-dollars' | 'plateau';

export type StopDecision =
  | { readonly stop: false }
  | { readonly stop: true; readonly reason: StopReason; readonly detail: string };

export function decideStop(input: StopRuleInput): StopDecision {
  // Caps first: they are promises made to whoever pays, and they hold whatever the metric does.
  if (input.experiments >= input.maxExperiments) {
    return {
      stop: true,
      reason: 'max-experiments',
      detail: `${input.experiments} experiments reached the cap of ${input.maxExperiments}`,
    };
  }
  if (input.elapsedHours >= input.maxHours) {
    return {
      stop: true,
      reason: 'max-hours',
      detail: `${input.elapsedHours.toFixed(2)} h elapsed reached the cap of ${input.maxHours} h`,
    };
  }
  if (input.dollars >= input.maxDollars) {
    return {
      stop: true,
      reason: 'max-dollars',
      detail: `$${input.dollars.toFixed(4)} spent reached the cap of $${input.maxDollars}`,
    };
  }
  if (!input.seedExperimentsDone) return { stop: false };

  const rounds = input.bestAfterRound;
  const patience = Math.max(1, Math.floor(input.patience));
  if (rounds.length < patience + 1) return { stop: false };
  // Compared with the best of `patience` rounds ago, not round by round: small gains that
  // add up to a real improvement over the window keep the search going.
  const before = rounds[rounds.length - 1 - patience] ?? null;
  const now = rounds[rounds.length - 1] ?? null;
  if (improved(before, now, input.relativeEpsilon ?? 0.001)) return { stop: false };
  const epsilonText = `${((input.relativeEpsilon ?? 0.001) * 100).toPrecision(3)}%`;
  return {
    stop: true,
    reason: 'plateau',
    // "best metric (none)" read as a bug to users: a run where nothing was kept plateaued too,
    // and the reason says so in words.
    detail:
      now === null
        ? `no candidate has been kept in the last ${patience} planning round(s)`
        : `best metric ${String(now)} has not improved by more than ${epsilonText} on ${before === null ? 'no earlier best' : String(before)} over the last ${patience} planning round(s)`,
  };
}

function improved(before: number | null, now: number | null, epsilon: number): boolean {
  if (now === null) return false;
  if (before === null) return true; // the first metric ever obtained is progress
  return before - now > epsilon * Math.abs(before);
}
