/**
 * The search path, stage by stage after validate-input (harness.ts names the stages): sample K
 * configs, build the deduplicated rows within the budget, ONE model call, score every config on
 * every validation window, select the winner and its final forecasts, assemble the result.
 */
import { affordableK, type BudgetMode } from './budget.js';
import type { ValidationForecasts } from './calibration.js';
import { defaultAdjustedNote } from './cold-start.js';
import { sampleConfigs, type Sample } from './config-sampler.js';
import { searchable, type ConfigSpace } from './config-space.js';
import type { CostModel } from './cost-model.js';
import { finalForecasts } from './final-forecast.js';
import type { HarnessForecaster } from './forecaster.js';
import { callModel } from './model-call.js';
import { priorWeightsFor, type PriorLookup } from './prior-lookup.js';
import { assembleResult } from './result-assembly.js';
import type { HarnessResult } from './result.js';
import { buildRows, planRows, type BuiltRows, type PlanInput, type RowPlan } from './row-plan.js';
import { scoreConfigs } from './scoring.js';
import { selectWinners, triedConfigs } from './select.js';
import type { StageClock } from './stage-clock.js';
import type { ValidatedRequest } from './validate-input.js';
import type { ValidationData } from './validation-data.js';

export interface SearchInput {
  readonly space: ConfigSpace;
  readonly forecaster: HarnessForecaster;
  readonly costModel: CostModel;
  readonly budgetMode: BudgetMode;
  readonly checked: ValidatedRequest;
  readonly validation: ValidationData;
  /** The effective default (config index), searchable on this request. */
  readonly defaultIndex: number;
  readonly prior: PriorLookup;
  readonly clock: StageClock;
  /** validate-input's time (ms), already lapped. */
  readonly validateInputMs: number;
}

/** The build-rows stage's outcome: the plan, K after the budget, the rows, and the budget figures. */
interface Batch {
  readonly plan: RowPlan;
  readonly kUsed: number;
  readonly built: BuiltRows;
  readonly spentBeforeCall: number;
  readonly availableModelMs: number;
  readonly predictedModelMs: number;
}

function buildBatch(input: SearchInput, sample: Sample): Batch {
  const { space, costModel, checked, validation, clock } = input;
  const planInput: PlanInput = {
    space,
    order: sample.order,
    series: checked.req.series,
    horizon: checked.req.horizon,
    ends: validation.ends,
    lastObs: validation.lastObs,
    scorable: validation.scorable,
  };
  const plan = planRows(planInput);
  const spentBeforeCall = clock.elapsed();
  const availableModelMs = checked.req.budgetMs - spentBeforeCall - costModel.coefficients.overheadMs;
  const kUsed = affordableK(input.budgetMode, costModel, plan.modelRowsInPrefix, availableModelMs);
  const built = buildRows(plan, plan.slotsInPrefix[kUsed - 1]!, planInput);
  return {
    plan,
    kUsed,
    built,
    spentBeforeCall,
    availableModelMs,
    predictedModelMs: costModel.predictModelMs(built.modelRows),
  };
}

export async function searchForecast(input: SearchInput): Promise<HarnessResult> {
  const { space, forecaster, costModel, checked, validation, defaultIndex, prior, clock } = input;
  const { req, profiles, ranges, reach } = checked;

  // sample
  const sample = sampleConfigs({
    space,
    familyAllowed: Uint8Array.from(space.families, (f) => (searchable(f, reach) ? 1 : 0)),
    defaultIndex,
    priorWeights: prior.map === null ? null : priorWeightsFor(space, prior.map),
    k: req.k,
    configsPerModelRow: req.options.configsPerModelRow,
    seed: req.seed,
  });
  const sampleMs = clock.lap();

  // build-rows
  const { plan, kUsed, built, ...budget } = buildBatch(input, sample);
  const buildRowsMs = clock.lap();

  // model
  const { forecasts, calls } = await callModel(forecaster, built.rows);
  const modelMs = clock.lap();
  costModel.observeModel(built.modelRows, modelMs);

  // score
  const used = sample.order.slice(0, kUsed);
  const batch: ValidationForecasts = {
    plan,
    rowIndex: built.rowIndex,
    forecasts,
    metricCount: req.metricNames.length,
    originCount: validation.ends.length,
    horizon: req.horizon,
    alpha: req.alpha,
    levels: forecaster.levels,
    actual: validation.actual,
    scorable: validation.scorable,
  };
  const scores = scoreConfigs({ ...batch, configs: used.map((i) => space.configs[i]!), scales: validation.scales });
  const scoreMs = clock.lap();

  // select
  const selection = selectWinners({
    space,
    used,
    scores,
    metricNames: req.metricNames,
    selection: req.options.selection,
  });
  const final = finalForecasts({ req, space, used, selection, batch, profiles, ranges });
  const tried = triedConfigs(space, used, sample.sources, scores, selection.tenantScores, req.metricNames);
  const selectMs = clock.lap();
  costModel.observeOverhead(scoreMs + selectMs);

  const notes = [
    ...(defaultIndex !== space.defaultByResolution[0] ? [defaultAdjustedNote(space, defaultIndex, req.horizon)] : []),
    ...selection.notes,
    ...final.notes,
    ...(kUsed < req.k && kUsed === sample.order.length
      ? [`only ${kUsed} configs are servable for this request (K = ${req.k} asked)`]
      : []),
  ];
  const total = clock.elapsed();
  return assembleResult(
    req,
    forecaster.levels,
    ranges,
    {
      mode: input.budgetMode,
      figures: {
        budgetMs: req.budgetMs,
        availableModelMs: budget.availableModelMs,
        predictedModelMs: budget.predictedModelMs,
        actualModelMs: modelMs,
        predictedTotalMs: budget.spentBeforeCall + budget.predictedModelMs + costModel.coefficients.overheadMs,
        actualTotalMs: total,
      },
    },
    {
      path: 'search',
      coldStartReason: null,
      forecast: final.forecast,
      quantiles: final.quantiles,
      calibration: final.calibration,
      winner: final.winners,
      fallbacks: final.fallbacks,
      tenantWinner: selection.tenantPick.position >= 0 ? space.keys[used[selection.tenantPick.position]!]! : null,
      defaultKey: space.keys[defaultIndex]!,
      tried,
      budgetCut: sample.order.slice(kUsed).map((i) => space.keys[i]!),
      skipped: [...validation.skipped, ...selection.skipped],
      scales: validation.scaleReport,
      kUsed,
      kLowered: kUsed < sample.order.length,
      modelRows: built.modelRows,
      requestRows: built.rows.length,
      naiveRequestRows: plan.naiveRowsInPrefix[kUsed - 1]!,
      forecasterCalls: calls,
      timings: {
        validateInput: input.validateInputMs,
        sample: sampleMs,
        buildRows: buildRowsMs,
        model: modelMs,
        score: scoreMs,
        select: selectMs,
        total,
      },
      prior: prior.report,
      notes,
    },
  );
}
