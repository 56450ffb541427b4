/**
 * The one place a HarnessResult is built, for the search and the cold-start path alike: the
 * request's own fields (tenant, α, tier, horizon, metrics, K asked) come from the request, the
 * rest from what the path did.
 */
import type { BudgetMode, BudgetFigures } from './budget.js';
import { budgetReport } from './budget.js';
import type { ParsedRequest } from './request.js';
import type { HarnessResult, PlausibleRange } from './result.js';

export type PathOutcome = Omit<
  HarnessResult,
  | 'tenantId'
  | 'alpha'
  | 'tier'
  | 'horizon'
  | 'selection'
  | 'metrics'
  | 'levels'
  | 'finalBounds'
  | 'kRequested'
  | 'budget'
>;

export function assembleResult(
  req: ParsedRequest,
  levels: readonly number[],
  ranges: readonly PlausibleRange[],
  budget: { readonly mode: BudgetMode; readonly figures: BudgetFigures },
  outcome: PathOutcome,
): HarnessResult {
  const finalBounds: Record<string, PlausibleRange> = {};
  req.metricNames.forEach((name, m) => (finalBounds[name] = ranges[m]));
  return {
    tenantId: req.tenant.id,
    alpha: req.alpha,
    tier: req.tier,
    horizon: req.horizon,
    selection: req.options.selection,
    metrics: req.metricNames,
    levels,
    finalBounds,
    kRequested: req.k,
    budget: budgetReport(budget.mode, budget.figures),
    ...outcome,
  };
}
