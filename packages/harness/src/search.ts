/**
 * The search path, stage by stage after validate-input (harness.ts names the stages): sample K
 * configs, build the deduplicated rows within the budget, ONE model call, score every config on
 * every validation window, select the winner and its final forecasts, assemble the result.
 */
import { affordableK, type BudgetMode } from './budget.js';
import { candidateSet, forecastMembers, type MemberForecasts } from './candidates.js';
import { defaultAdjustedNote } from './cold-start.js';
import { sampleConfigs, type Sample } from './config-sampler.js';
import { searchable, type ConfigSpace } from './config-space.js';
import type { CostModel } from './cost-model.js';
import { finalForecasts } from './final-forecast.js';
import type { HarnessForecaster } from './forecaster.js';
import { callModels } from './model-call.js';
import { priorWeightsFor, type PriorLookup } from './prior-lookup.js';
import { assembleResult } from './result-assembly.js';
import type { HarnessResult } from './result.js';
import { buildRows, planRows, type BuiltRows, type PlanInput, type RowPlan } from './row-plan.js';
import { scoreCandidates } from './scoring.js';
import { selectWinners, triedConfigs } from './select.js';
import type { StageClock } from './stage-clock.js';
import type { ValidatedRequest } from './validate-input.js';
import type { ValidationData } from './validation-data.js';
import { ONLINE_RATE, remember, settle, type OnlineCalibrationOptions } from './online-calibration.js';
import type { MetricProfile } from './history-profile.js';
import type { ParsedRequest } from './request.js';
import type { PeakForecast } from './result.js';
import {
  firstRoundOrigins,
  raceRounds,
  racingRowsInPrefix,
  survivorsBesidesDefault,
  type ModelCall,
  type ModelStage,
  type RacingRounds,
} from './racing.js';

/**
 * Settle the tenant's remembered peaks, add its online offset to this request's peaks, remember
 * them. A store that fails is reported in the notes; the forecast goes on without it.
 */
async function applyOnline(
  online: OnlineCalibrationOptions,
  req: ParsedRequest,
  scales: Float64Array,
  peaks: Record<string, PeakForecast>,
  profiles: readonly MetricProfile[],
): Promise<{ peak: Record<string, PeakForecast>; notes: string[] }> {
  const tenant = req.tenant.id;
  const request = {
    start: req.tenant.start,
    stepMs: req.tenant.stepMs,
    n: req.n,
    alpha: req.alpha,
    metricNames: req.metricNames,
    series: req.series,
    scales,
  };
  let state;
  try {
    state = settle(await online.store.get(tenant), request, online.rate ?? ONLINE_RATE);
  } catch (error) {
    return { peak: peaks, notes: [`online calibration skipped: ${(error as Error).message}`] };
  }
  const peak: Record<string, PeakForecast> = {};
  req.metricNames.forEach((name, m) => {
    const p = peaks[name];
    const offset = state.metrics[name].offset;
    const shifted = p.value + offset;
    peak[name] = { ...p, value: !profiles[m].hasNegative && shifted < 0 ? 0 : shifted, online: offset };
  });
  try {
    await online.store.put(tenant, remember(state, request, peak));
  } catch (error) {
    return { peak, notes: [`online calibration state not saved: ${(error as Error).message}`] };
  }
  return { peak, notes: [] };
}

export interface SearchInput {
  /** The tenant's online peak calibration, when the harness has a store (online-calibration.ts). */
  readonly online: OnlineCalibrationOptions | null;
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

/** The build-rows stage's outcome: the plan, K after the budget, the rows or rounds, and the budget figures. */
interface Batch {
  readonly plan: RowPlan;
  readonly planInput: PlanInput;
  readonly kUsed: number;
  /** One model call on these rows, or racing's two rounds (racing.ts) from these first-round origins. */
  readonly rounds: { readonly kind: 'one'; readonly built: BuiltRows } | RacingRounds;
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
  const racing = checked.req.options.racing;
  if (racing === null) {
    const kUsed = affordableK(input.budgetMode, costModel, plan.modelRowsInPrefix, availableModelMs);
    return {
      plan,
      planInput,
      kUsed,
      rounds: { kind: 'one', built: buildRows(plan, plan.slotsInPrefix[kUsed - 1], planInput) },
      spentBeforeCall,
      availableModelMs,
      predictedModelMs: costModel.predictModelMs(plan.modelRowsInPrefix[kUsed - 1]),
    };
  }
  // Racing: budgeted with an upper bound of its two rounds' rows, and the second call's fixed cost.
  const first = firstRoundOrigins(validation.ends.length - 1, racing.windows);
  const { req } = checked;
  const M = req.metricNames.length;
  const survivors = survivorsBesidesDefault(racing, req.options.selection, M);
  const rows = racingRowsInPrefix(plan, space, sample.order, first, survivors, req.horizon, M);
  const secondCallMs = costModel.coefficients.fixedMs;
  const kUsed = affordableK(input.budgetMode, costModel, rows, availableModelMs - secondCallMs);
  return {
    plan,
    planInput,
    kUsed,
    rounds: { kind: 'racing', racing, first },
    spentBeforeCall,
    availableModelMs,
    predictedModelMs: costModel.predictModelMs(rows[kUsed - 1]) + secondCallMs,
  };
}

/** Racing's first round scores the model configs alone: members cost no rows and are never raced. */
const MEMBERLESS: MemberForecasts = { members: [], matrices: [], shifted: [], skipped: [] };

/** The model stage: one call on the batch's rows, or racing's two rounds. */
async function modelStage(input: SearchInput, sample: Sample, batch: Batch): Promise<ModelStage> {
  const { space, costModel, checked, validation, forecaster } = input;
  const { req } = checked;
  const { plan, planInput, kUsed, rounds } = batch;
  const used = sample.order.slice(0, kUsed);
  const call: ModelCall = async (rows) => {
    if (rows.rows.length === 0) return { forecasts: [], calls: 0 };
    const started = performance.now();
    const out = await callModels(
      space.models.map((m) => m.forecaster),
      rows.rows,
      rows.rowModel,
    );
    costModel.observeModel(rows.modelRows, performance.now() - started);
    return out;
  };
  if (rounds.kind === 'racing') {
    return raceRounds({
      ...rounds,
      plan,
      planInput,
      slotCount: plan.slotsInPrefix[kUsed - 1],
      used,
      sources: sample.sources,
      call,
      score: (set, scorable) =>
        scoreCandidates(set, { alpha: req.alpha, scales: validation.scales, actual: validation.actual, scorable }),
      candidates: (batch) =>
        candidateSet(batch, MEMBERLESS, req.metricNames.length, validation.ends.length, req.horizon, forecaster.levels),
      selection: req.options.selection,
    });
  }
  const { forecasts, calls } = await call(rounds.built);
  return {
    batch: { space, used, sources: sample.sources, slotOf: plan.slotOf, rowIndex: rounds.built.rowIndex, forecasts },
    modelRows: rounds.built.modelRows,
    requestRows: rounds.built.rows.length,
    calls,
    racing: null,
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
    sampler: req.options.sampler,
  });
  const sampleMs = clock.lap();

  // build-rows
  const batch = buildBatch(input, sample);
  const { plan, kUsed, ...budget } = batch;
  const buildRowsMs = clock.lap();

  // model: one batched call per ONNX model (two with racing), then the statistical members (no model call)
  const stage = await modelStage(input, sample, batch);
  const modelMs = clock.lap();
  const members = forecastMembers({
    members: req.options.members,
    series: req.series,
    metricNames: req.metricNames,
    ends: validation.ends,
    horizon: req.horizon,
    stepsPerDay: req.options.stepsPerDay,
    levels: forecaster.levels,
    nonNegative: profiles.map((p) => !p.hasNegative),
  });
  const membersMs = clock.lap();

  // score
  const set = candidateSet(
    stage.batch,
    members,
    req.metricNames.length,
    validation.ends.length,
    req.horizon,
    forecaster.levels,
  );
  const scores = scoreCandidates(set, {
    alpha: req.alpha,
    scales: validation.scales,
    actual: validation.actual,
    scorable: validation.scorable,
  });
  const scoreMs = clock.lap();

  // select
  const selection = selectWinners({ set, scores, metricNames: req.metricNames, selection: req.options.selection });
  const final = finalForecasts({ req, set, selection, validation, profiles, ranges });
  const tried = triedConfigs(set, scores, selection.tenantScores, req.metricNames);
  const online =
    input.online === null
      ? { peak: final.peak, notes: [] }
      : await applyOnline(input.online, req, validation.scales, final.peak, profiles);
  const selectMs = clock.lap();
  costModel.observeOverhead(scoreMs + selectMs);

  const notes = [
    ...(defaultIndex !== space.defaultByResolution[0] ? [defaultAdjustedNote(space, defaultIndex, req.horizon)] : []),
    ...checked.origins.notes,
    ...selection.notes,
    ...final.notes,
    ...online.notes,
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
      peak: online.peak,
      calibration: final.calibration,
      winner: final.winners,
      fallbacks: final.fallbacks,
      tenantWinner: selection.tenantPick.position >= 0 ? set.info[selection.tenantPick.position].key : null,
      defaultKey: space.keys[defaultIndex],
      tried,
      membersSkipped: members.skipped,
      budgetCut: sample.order.slice(kUsed).map((i) => space.keys[i]),
      skipped: [...validation.skipped, ...selection.skipped],
      validationWindows: validation.ends.length - 1,
      validationPlacement: { placement: checked.origins.placement, sameTimeDays: checked.origins.sameTimeDays },
      scales: validation.scaleReport,
      kUsed,
      kLowered: kUsed < sample.order.length,
      modelRows: stage.modelRows,
      requestRows: stage.requestRows,
      racing: stage.racing,
      naiveRequestRows: plan.naiveRowsInPrefix[kUsed - 1],
      forecasterCalls: stage.calls,
      timings: {
        validateInput: input.validateInputMs,
        sample: sampleMs,
        buildRows: buildRowsMs,
        model: modelMs,
        members: membersMs,
        score: scoreMs,
        select: selectMs,
        total,
      },
      prior: prior.report,
      notes,
    },
  );
}
