/**
 * The latency budget of one request: how it acts (BudgetMode), how many configs it lets the
 * search try (the cost model's affordable prefix, cost-model.ts), and the report of predicted vs
 * actual time every result carries.
 */
import type { CostModel } from './cost-model.js';
import type { BudgetReport } from './result.js';

/**
 * `enforce` (default, serving): the cost model lowers K before the model call so the predicted
 * request time fits `budgetMs`. `measure` (evaluation): K is never lowered — the forecast depends
 * on the request alone, never on machine load — and the budget is only measured:
 * `result.budget.overBudget` says whether this request broke it, for the caller to count.
 * Anything that compares a metric across runs uses `measure`.
 */
export const BUDGET_MODES = ['enforce', 'measure'] as const;
export type BudgetMode = (typeof BUDGET_MODES)[number];

/** Configs the request tries: the whole sample in `measure` mode, else the affordable prefix (≥ 1). */
export function affordableK(
  mode: BudgetMode,
  costModel: CostModel,
  modelRowsInPrefix: ArrayLike<number>,
  availableModelMs: number,
): number {
  if (mode === 'measure') return modelRowsInPrefix.length;
  return costModel.largestAffordablePrefix(modelRowsInPrefix, availableModelMs);
}

/** What a budget report measures; its mode and overBudget come from budgetReport. */
export type BudgetFigures = Omit<BudgetReport, 'mode' | 'overBudget'>;

export function budgetReport(mode: BudgetMode, figures: BudgetFigures): BudgetReport {
  return { mode, ...figures, overBudget: figures.actualTotalMs > figures.budgetMs };
}
