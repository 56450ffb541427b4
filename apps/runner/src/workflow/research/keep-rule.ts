/**
 * The keep rule: when a finished candidate becomes the run's best. Both conditions must hold:
 *
 * 1. the latency budget held, where the evaluator reports one (`budget_ms`): p99 within it and no
 *    request over it — a config that is better but too slow to serve is not an answer;
 * 2. the metric improved on the current best beyond noise. By default (`paired-bootstrap`): the
 *    paired cluster-bootstrap interval of candidate − best over the search tenants
 *    (bootstrap.ts) lies wholly below zero. A template whose evaluator writes no per-tenant units
 *    declares a `margin` instead: the metric must be lower by more than that share.
 *
 * "Best" is the candidate most recently kept (analysis.ts, currentBest): a chain of improvements
 * each beyond noise of the one before, never a discarded experiment that happened to print a
 * lower number. Which experiment a candidate is compared with — the best so far, or before any
 * keep the harness-default baseline — is keep-decision.ts; `best` undefined here means there is
 * nothing to compare with, and then a candidate is kept when its budget held.
 */
import { z } from 'zod';
import { differenceInterval, type Interval, type Unit } from './bootstrap.js';

export const KeepRuleSchema = z.strictObject({
  test: z.enum(['paired-bootstrap', 'margin']).default('paired-bootstrap'),
  /** Two-sided level of the paired interval. */
  confidence: z.number().gt(0.5).lt(1).default(0.95),
  resamples: z.number().int().min(200).max(100_000).default(2000),
  /** For `margin`: the relative improvement a candidate must exceed. */
  margin: z.number().min(0).max(1).default(0.01),
});

export type KeepRule = z.infer<typeof KeepRuleSchema>;

export const DEFAULT_KEEP_RULE: KeepRule = KeepRuleSchema.parse({});

/** What the rule needs to know about one scored experiment. */
export interface Scored {
  readonly id: string;
  readonly metric: number;
  /** Per-tenant sums from metrics.json; undefined when the evaluator wrote none. */
  readonly units: readonly Unit[] | undefined;
  readonly latencyMsP99: number | null;
  readonly budgetMs: number | null;
  readonly overBudget: number | null;
}

export interface KeepVerdict {
  readonly decision: 'keep' | 'discard';
  /** One line a person (and the planner) reads: what was compared, and the numbers. */
  readonly reason: string;
  /** The paired interval of candidate − best, when one was computed. */
  readonly difference?: Interval;
  /** Its half-width relative to the best's metric: the noise this decision had to see past. */
  readonly pairedHalfWidth?: number;
}

export function keepVerdict(candidate: Scored, best: Scored | undefined, rule: KeepRule): KeepVerdict {
  const budget = budgetProblem(candidate);
  if (budget) return { decision: 'discard', reason: `latency budget not held: ${budget}` };
  if (!best) return { decision: 'keep', reason: 'the first candidate with a metric within the latency budget' };

  const change = (candidate.metric - best.metric) / Math.abs(best.metric || 1);
  if (rule.test === 'margin') {
    const beyond = change < -rule.margin;
    return {
      decision: beyond ? 'keep' : 'discard',
      reason: `${percent(change)} against ${best.id}; ${beyond ? 'beyond' : 'within'} the template's ${percent(rule.margin, false)} margin`,
    };
  }
  if (!candidate.units || !best.units) {
    const who = candidate.units ? best.id : candidate.id;
    return {
      decision: 'discard',
      reason: `${percent(change)} against ${best.id}, but ${who} has no per-tenant units in its metrics.json, so noise cannot be told from an improvement`,
    };
  }
  let difference: Interval;
  try {
    difference = differenceInterval(candidate.units, best.units, {
      resamples: rule.resamples,
      confidence: rule.confidence,
    });
  } catch (error) {
    return { decision: 'discard', reason: `not comparable with ${best.id}: ${(error as Error).message}` };
  }
  const scale = Math.abs(best.metric || 1);
  const interval = `${Math.round(rule.confidence * 100)}% CI [${percent(difference.lo / scale)}, ${percent(difference.hi / scale)}]`;
  const beyond = difference.hi < 0;
  return {
    decision: beyond ? 'keep' : 'discard',
    reason: `${percent(change)} against ${best.id}, paired ${interval} over ${candidate.units.length} tenants: ${beyond ? 'an improvement beyond noise' : difference.lo > 0 ? 'worse beyond noise' : 'within noise'}`,
    difference,
    pairedHalfWidth: (difference.hi - difference.lo) / 2 / scale,
  };
}

/** Why the budget did not hold, or undefined when it did (or the evaluator reports none). */
export function budgetProblem(scored: Pick<Scored, 'latencyMsP99' | 'budgetMs' | 'overBudget'>): string | undefined {
  if (scored.budgetMs === null) return undefined;
  const problems: string[] = [];
  if (scored.latencyMsP99 !== null && scored.latencyMsP99 > scored.budgetMs)
    problems.push(`p99 ${scored.latencyMsP99.toFixed(1)} ms over the ${scored.budgetMs} ms budget`);
  if (scored.overBudget !== null && scored.overBudget > 0)
    problems.push(`${scored.overBudget} request${scored.overBudget === 1 ? '' : 's'} over budget`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function percent(change: number, signed = true): string {
  const text = `${(Math.abs(change) * 100).toFixed(Math.abs(change) < 0.001 && change !== 0 ? 3 : 2)}%`;
  if (!signed) return text;
  return change > 0 ? `+${text}` : change < 0 ? `−${text}` : text;
}
