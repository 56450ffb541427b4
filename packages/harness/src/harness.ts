/**
 * The harness (design.md §5): per request, search K configs of a frozen forecaster on the
 * tenant's own recent history and forecast with the winner.
 *
 * Stages, each timed:
 *  validate-input  zod boundary, one profiling pass per metric, validation windows and loss scales;
 *  sample          archetype prior (if any) and the stratified sample of K configs;
 *  build-rows      deduplicated row plan; the cost model lowers K (truncates the sample) so the
 *                  predicted request time fits the budget; rows for the kept prefix;
 *  model           ONE forecastBatch call: every kept config's validation AND final forecasts;
 *  score           scale-free α-loss of every config on every validation window;
 *  select          winner(s) (ties → default); the final-forecast guard (final-guard.ts) checks
 *                  each metric's final forecast and falls back (next-best config, then the
 *                  default) when it is non-finite or implausible; the α-quantile, all quantiles,
 *                  the opt-in calibration shift of the α-quantile (calibration.ts), the report.
 *
 * Requests that cannot be validated take the documented cold-start path (cold-start.ts). Every
 * failure leaves as a HarnessError.
 */
import { interpolateQuantileRow } from '@tsfm/losses';
import { QuantileForecast, type ForecastConfig, type ForecastRow } from '@tsfm/tsfm-client';
import { appendResiduals, conformalShift, shiftPath, type CalibrationMethod } from './calibration.js';
import {
  effectiveDefault,
  flatQuantiles,
  searchMinimumHistory,
  topPriorConfig,
  type ColdStartReason,
  type HarnessPath,
} from './cold-start.js';
import type { ConfigPriorSource, TenantHistory } from './config-prior.js';
import { sampleConfigs } from './config-sampler.js';
import { ConfigSpace, searchable, type RequestReach } from './config-space.js';
import { calibrateCostModel, type CalibrationOptions, type CostModel } from './cost-model.js';
import { asHarnessError, HarnessError } from './errors.js';
import {
  chooseFinal,
  checkFinal,
  fallbackNote,
  fallbackOrder,
  PLAUSIBLE_RANGE_MULTIPLE,
  plausibleRange,
  type FinalCandidate,
  type FinalGuardOptions,
} from './final-guard.js';
import { modelRowsFor, type HarnessForecaster } from './forecaster.js';
import { forecastRolledOut, MAX_ROLLOUT_ROUNDS, rolloutRounds, type RolledOut } from './rollout.js';
import {
  lastObservedBefore,
  metricScale,
  observedIn,
  profileMetric,
  type MetricProfile,
  type MetricScale,
} from './history-profile.js';
import { parseRequest, type HarnessRequest, type ParsedRequest } from './request.js';
import type {
  BudgetReport,
  CalibrationReport,
  FinalFallback,
  HarnessResult,
  MetricWinner,
  PlausibleRange,
  PriorReport,
  SkipNote,
  StageTimings,
  TriedConfig,
} from './result.js';
import { buildRows, planRows, type PlanInput } from './row-plan.js';
import { postProcess, scoreConfigs, ScoreStatus } from './scoring.js';
import { pickLowest, tenantScore } from './selection.js';

export interface HarnessOptions {
  /** Configs to search (default: configGrid up to the model's context). The default is always added. */
  readonly grid?: readonly ForecastConfig[];
  /** The fleet default (default: DEFAULT_CONFIG with the context capped at the model's). */
  readonly defaultConfig?: ForecastConfig;
  /** Archetype prior; without one, sampling is purely stratified and cold start uses the default. */
  readonly priorSource?: ConfigPriorSource | null;
  /** A ready cost model (skips the warm-up calls; tests inject known coefficients). */
  readonly costModel?: CostModel;
  /** Warm-up calls used to fit the cost model when none is given. */
  readonly calibration?: CalibrationOptions;
  /** The final-forecast guard's plausibility bound (final-guard.ts); finiteness is always checked. */
  readonly finalGuard?: FinalGuardOptions;
  /**
   * `enforce` (default, serving): the cost model lowers K before the model call so the predicted
   * request time fits `budgetMs`. `measure` (evaluation): K is never lowered — the forecast
   * depends on the request alone, never on machine load — and the budget is only measured:
   * `result.budget.overBudget` says whether this request broke it, for the caller to count.
   * Anything that compares a metric across runs uses `measure` (see BUDGET_MODES).
   */
  readonly budgetMode?: BudgetMode;
}

/** How the latency budget acts: see HarnessOptions.budgetMode. */
export const BUDGET_MODES = ['enforce', 'measure'] as const;
export type BudgetMode = (typeof BUDGET_MODES)[number];

/** Per-request data for the search path, computed once in validate-input. */
interface ValidationData {
  /** ends[0] = n; ends[o] = n − o·h. */
  readonly ends: number[];
  readonly lastObs: Int32Array;
  readonly scorable: Uint8Array;
  readonly actual: (Float32Array | null)[];
  readonly scales: Float64Array;
  readonly scaleReport: Record<string, MetricScale>;
  readonly anyScorable: boolean;
  readonly skipped: SkipNote[];
}

interface PriorLookup {
  readonly map: ReadonlyMap<string, number> | null;
  readonly report: PriorReport;
}

class StageClock {
  readonly start = performance.now();
  #last = this.start;

  lap(): number {
    const now = performance.now();
    const d = now - this.#last;
    this.#last = now;
    return d;
  }

  elapsed(): number {
    return performance.now() - this.start;
  }
}

export class Harness {
  readonly forecaster: HarnessForecaster;
  readonly space: ConfigSpace;
  readonly costModel: CostModel;
  readonly priorSource: ConfigPriorSource | null;
  /** c of the final-forecast guard's plausibility bound (Infinity: bound off). */
  readonly rangeMultiple: number;
  readonly budgetMode: BudgetMode;

  private constructor(
    forecaster: HarnessForecaster,
    space: ConfigSpace,
    costModel: CostModel,
    priorSource: ConfigPriorSource | null,
    rangeMultiple: number,
    budgetMode: BudgetMode,
  ) {
    this.forecaster = forecaster;
    this.space = space;
    this.costModel = costModel;
    this.priorSource = priorSource;
    this.rangeMultiple = rangeMultiple;
    this.budgetMode = budgetMode;
  }

  /** Index the config space and (unless a cost model is given) fit the cost model from warm-up calls. */
  static async create(forecaster: HarnessForecaster, options: HarnessOptions = {}): Promise<Harness> {
    const rangeMultiple = options.finalGuard?.rangeMultiple ?? PLAUSIBLE_RANGE_MULTIPLE;
    if (!(rangeMultiple >= 0)) {
      throw new HarnessError(
        'bad-request',
        `finalGuard.rangeMultiple must be ≥ 0 (Infinity turns the bound off), got ${rangeMultiple}`,
        { field: 'finalGuard.rangeMultiple' },
      );
    }
    const budgetMode = options.budgetMode ?? 'enforce';
    if (!(BUDGET_MODES as readonly string[]).includes(budgetMode)) {
      throw new HarnessError(
        'bad-request',
        `budgetMode must be one of ${BUDGET_MODES.join(', ')}, got ${JSON.stringify(budgetMode)}`,
        { field: 'budgetMode' },
      );
    }
    let space: ConfigSpace;
    try {
      space = new ConfigSpace(forecaster, options.grid, options.defaultConfig);
    } catch (error) {
      throw asHarnessError(error, 'bad-request', 'invalid config grid or default config');
    }
    const defaultIndex = space.defaultByResolution[0];
    if (defaultIndex === undefined) {
      throw new HarnessError(
        'bad-request',
        'the default config is not servable by this model (context too long, or flip on asymmetric levels)',
      );
    }
    const costModel =
      options.costModel ?? (await calibrateCostModel(forecaster, space.configs[defaultIndex]!, options.calibration));
    return new Harness(forecaster, space, costModel, options.priorSource ?? null, rangeMultiple, budgetMode);
  }

  /** Forecast one request. Resolves with a forecast or rejects with a HarnessError — nothing else. */
  async forecast(request: HarnessRequest): Promise<HarnessResult> {
    try {
      return await this.#forecast(request);
    } catch (error) {
      throw asHarnessError(error, 'internal', 'unexpected harness failure');
    }
  }

  async #forecast(input: unknown): Promise<HarnessResult> {
    const clock = new StageClock();

    // ── validate-input ───────────────────────────────────────────────────────────────────────
    const req = parseRequest(input);
    const { n, horizon: h } = req;
    const W = req.options.validationWindows;
    const profiles = req.series.map(profileMetric);
    // The final-forecast guard's bound per metric, from the whole observed history (final-guard.ts).
    const ranges = req.series.map((v) => plausibleRange(v, this.rangeMultiple));
    profiles.forEach((p, m) => {
      if (p.observed === 0) {
        throw new HarnessError(
          'insufficient-data',
          `metric '${req.metricNames[m]}' has no observed value in its ${n} points; leave it out with request.metrics`,
          { metric: req.metricNames[m] },
        );
      }
    });
    // Steps of the request's grid (minutes on the fleet; an adapter may pass another step as "the
    // minute", so the message says steps).
    const reachable = this.space.maxHorizonMinutes;
    if (h > reachable * MAX_ROLLOUT_ROUNDS) {
      throw new HarnessError(
        'bad-request',
        `horizon ${h} steps is beyond this model: one call reaches ${reachable} steps at the coarsest resolution, and a forecast is rolled out at most ${MAX_ROLLOUT_ROUNDS} times (${reachable * MAX_ROLLOUT_ROUNDS} steps)`,
        { field: 'horizon' },
      );
    }
    const reach: RequestReach = {
      n,
      horizon: h,
      earliestOrigin: n - W * h,
      minLastObserved: Math.min(...profiles.map((p) => p.lastObserved)),
      anyNegative: profiles.some((p) => p.hasNegative),
      rollout: h > reachable,
    };
    let reason: ColdStartReason | null = null;
    let validation: ValidationData | null = null;
    if (n === 1) reason = 'single-point-history';
    else if (n < searchMinimumHistory(h, W, req.options.minContextPoints))
      reason = 'history-shorter-than-search-minimum';
    else {
      validation = validationData(req);
      if (!validation.anyScorable) reason = 'no-observed-value-in-any-validation-window';
    }
    const validateInput = clock.lap();

    // ── sample ───────────────────────────────────────────────────────────────────────────────
    const prior = this.#lookUpPrior(req.tenant);
    let defaultIndex = -1;
    if (reason === null) {
      defaultIndex = effectiveDefault(this.space, reach, true);
      if (defaultIndex < 0) reason = 'default-config-cannot-be-validated';
    }
    if (reason !== null) {
      return this.#coldStart(
        req,
        reach,
        profiles,
        ranges,
        reason,
        prior,
        clock,
        validateInput,
        validation?.skipped ?? [],
      );
    }
    const data = validation!;
    const space = this.space;
    const familyAllowed = Uint8Array.from(space.families, (f) => (searchable(f, reach) ? 1 : 0));
    const priorWeights = prior.map === null ? null : priorWeightsFor(space, prior.map);
    const sample = sampleConfigs({
      space,
      familyAllowed,
      defaultIndex,
      priorWeights,
      k: req.k,
      configsPerModelRow: req.options.configsPerModelRow,
      seed: req.seed,
    });
    const sampleMs = clock.lap();

    // ── build-rows ───────────────────────────────────────────────────────────────────────────
    const planInput: PlanInput = {
      space,
      order: sample.order,
      series: req.series,
      horizon: h,
      ends: data.ends,
      lastObs: data.lastObs,
      scorable: data.scorable,
    };
    const plan = planRows(planInput);
    const spentBeforeCall = clock.elapsed();
    const availableModelMs = req.budgetMs - spentBeforeCall - this.costModel.coefficients.overheadMs;
    const kUsed =
      this.budgetMode === 'measure'
        ? sample.order.length
        : this.costModel.largestAffordablePrefix(plan.modelRowsInPrefix, availableModelMs);
    const built = buildRows(plan, plan.slotsInPrefix[kUsed - 1]!, planInput);
    const predictedModelMs = this.costModel.predictModelMs(built.modelRows);
    const buildRowsMs = clock.lap();

    // ── model ────────────────────────────────────────────────────────────────────────────────
    const { forecasts, calls } = await this.#callModel(built.rows);
    const modelMs = clock.lap();
    this.costModel.observeModel(built.modelRows, modelMs);

    // ── score ────────────────────────────────────────────────────────────────────────────────
    const M = req.metricNames.length;
    const O = W + 1;
    const used = sample.order.slice(0, kUsed);
    const configs = used.map((i) => space.configs[i]!);
    const levels = this.forecaster.levels;
    const scores = scoreConfigs({
      configs,
      plan,
      rowIndex: built.rowIndex,
      forecasts,
      metricCount: M,
      originCount: O,
      horizon: h,
      alpha: req.alpha,
      levels,
      scales: data.scales,
      actual: data.actual,
      scorable: data.scorable,
    });
    const scoreMs = clock.lap();

    // ── select ───────────────────────────────────────────────────────────────────────────────
    const notes: string[] = [];
    const skipped: SkipNote[] = [...data.skipped];
    if (defaultIndex !== space.defaultByResolution[0]) notes.push(defaultAdjustedNote(space, defaultIndex, h));
    const tenantScores = new Float64Array(kUsed);
    for (let c = 0; c < kUsed; c++) tenantScores[c] = tenantScore(scores, c, M);
    const tenantPick = pickLowest((c) => tenantScores[c]!, kUsed);

    const winnerPos = new Int32Array(M);
    const winners: Record<string, MetricWinner> = {};
    // The score selection ranks configs by for metric m (NaN = not eligible); the final-forecast
    // guard's fallbacks follow the same ranking.
    const selectionScore = (m: number): ((c: number) => number) =>
      req.options.selection === 'per-metric'
        ? (c) => (scores.status[c * M + m] === ScoreStatus.Scored ? scores.loss[c * M + m]! : Number.NaN)
        : (c) => tenantScores[c]!;
    for (let m = 0; m < M; m++) {
      const metric = req.metricNames[m]!;
      const score = selectionScore(m);
      const pick = req.options.selection === 'per-metric' ? pickLowest(score, kUsed) : tenantPick;
      if (scores.windowsPerMetric[m] === 0) {
        skipped.push({
          metric,
          reason:
            req.options.selection === 'per-metric'
              ? 'no validation window with an observed value: no evidence for this metric, the default config is used'
              : 'no validation window with an observed value: the metric does not contribute to the tenant score',
        });
      }
      const fallback = pick.position < 0;
      if (fallback) {
        notes.push(
          req.options.selection === 'per-metric'
            ? `metric '${metric}': no config has a finite validation loss; the default config is used`
            : 'no config has a finite validation loss on every metric with evidence; the default config is used',
        );
      }
      const position = fallback ? 0 : pick.position;
      winnerPos[m] = position;
      const s = score(position);
      winners[metric] = {
        key: space.keys[used[position]!]!,
        config: configs[position]!,
        score: s === s ? s : null,
        tieToDefault: pick.tieToDefault,
        chosenBy: fallback ? 'fallback-default' : 'search',
      };
    }
    for (let c = 0; c < kUsed; c++) {
      for (let m = 0; m < M; m++) {
        const status = scores.status[c * M + m];
        if (status === ScoreStatus.Incomplete) {
          skipped.push({
            metric: req.metricNames[m]!,
            config: space.keys[used[c]!]!,
            reason: 'a validation row had no observation inside its context window; not scored on this metric',
          });
        } else if (status === ScoreStatus.NonFinite) {
          skipped.push({
            metric: req.metricNames[m]!,
            config: space.keys[used[c]!]!,
            reason: 'non-finite validation loss (the model returned NaN or infinite quantiles); not eligible',
          });
        }
      }
    }

    const forecast: Record<string, Float32Array> = {};
    const quantiles: Record<string, QuantileForecast> = {};
    const fallbacks: FinalFallback[] = [];
    const calibration = req.options.calibration === 'none' ? null : new Calibrator(req.options.calibration, req.alpha);
    // Residuals actual − α-quantile of config c on metric m over its scorable validation windows,
    // from the forecasts already in the batch (the same post-processing and interpolation as
    // scoring); a string when there are none to use.
    const validationResiduals = (c: number, m: number): number[] | string => {
      const out: number[] = [];
      const processed = new Float32Array(h * levels.length);
      const path = new Float32Array(h);
      for (let o = 1; o < O; o++) {
        if (data.scorable[m * O + o] !== 1) continue;
        const row = built.rowIndex[plan.slotOf[c * O + o]! * M + m]!;
        if (!(row >= 0))
          return `validation window ${o} has no forecast for this config (no observation inside its context window)`;
        interpolateQuantileRow(
          levels,
          postProcess(forecasts[row]!.quantiles, configs[c]!, h, levels.length, processed),
          levels.length,
          h,
          req.alpha,
          path,
        );
        appendResiduals(data.actual[m * O + o]!, path, out);
      }
      if (out.length === 0) return 'no observed value in any validation window';
      if (out.some((r) => Number.isNaN(r))) return 'non-finite validation forecast at an observed minute';
      return out;
    };
    for (let m = 0; m < M; m++) {
      const metric = req.metricNames[m]!;
      const score = selectionScore(m);
      // Every kept config's final forecast is in the batch (searchable ⇒ servesFinal), so a
      // fallback costs no model call. The default is position 0 of the sample.
      const order = fallbackOrder(winnerPos[m]!, kUsed, score);
      const candidates: FinalCandidate[] = order.map((c) => ({
        key: space.keys[used[c]!]!,
        matrix: () => {
          const row = built.rowIndex[plan.slotOf[c * O]! * M + m]!;
          if (!(row >= 0)) return null;
          // The row was run without post-processing (shared by the family); apply the config's own.
          return postProcess(
            forecasts[row]!.quantiles,
            configs[c]!,
            h,
            levels.length,
            new Float32Array(h * levels.length),
          );
        },
      }));
      const choice = chooseFinal(metric, candidates, order.indexOf(0), ranges[m]!);
      const position = order[choice.index]!;
      if (choice.fallback !== null) {
        fallbacks.push(choice.fallback);
        notes.push(fallbackNote(choice.fallback));
        if (position !== winnerPos[m]) {
          const s = score(position);
          winners[metric] = {
            key: space.keys[used[position]!]!,
            config: configs[position]!,
            score: s === s ? s : null,
            tieToDefault: false,
            chosenBy: 'final-guard-fallback',
          };
        }
      }
      const final = new QuantileForecast(choice.matrix, h, levels, configs[position]!);
      quantiles[metric] = final;
      forecast[metric] = final.quantileAt(req.alpha);
      if (calibration !== null) {
        // The config actually used (after any guard fallback) is the one whose residuals count:
        // the shift corrects that config's bias, not the first choice's.
        const residuals = validationResiduals(position, m);
        forecast[metric] = calibration.apply(
          metric,
          space.keys[used[position]!]!,
          residuals,
          forecast[metric]!,
          !profiles[m]!.hasNegative,
        );
      }
    }

    const tried: TriedConfig[] = [];
    for (let c = 0; c < kUsed; c++) {
      const perMetric: Record<string, number | null> = {};
      for (let m = 0; m < M; m++) {
        const v = scores.loss[c * M + m]!;
        perMetric[req.metricNames[m]!] = v === v ? v : null;
      }
      const t = tenantScores[c]!;
      tried.push({
        key: space.keys[used[c]!]!,
        config: configs[c]!,
        source: sample.sources[c]!,
        score: t === t ? t : null,
        perMetric,
      });
    }
    const selectMs = clock.lap();
    this.costModel.observeOverhead(scoreMs + selectMs);

    const total = clock.elapsed();
    const tenantWinnerKey = tenantPick.position >= 0 ? space.keys[used[tenantPick.position]!]! : null;
    return {
      tenantId: req.tenant.id,
      path: 'search',
      coldStartReason: null,
      alpha: req.alpha,
      tier: req.tier,
      horizon: h,
      selection: req.options.selection,
      metrics: req.metricNames,
      levels,
      forecast,
      quantiles,
      calibration: calibration?.report() ?? emptyCalibration('none'),
      winner: winners,
      fallbacks,
      finalBounds: boundsReport(req.metricNames, ranges),
      tenantWinner: tenantWinnerKey,
      defaultKey: space.keys[defaultIndex]!,
      tried,
      budgetCut: sample.order.slice(kUsed).map((i) => space.keys[i]!),
      skipped,
      scales: data.scaleReport,
      kRequested: req.k,
      kUsed,
      kLowered: kUsed < sample.order.length,
      budget: budgetReport(
        this.budgetMode,
        req.budgetMs,
        availableModelMs,
        predictedModelMs,
        modelMs,
        spentBeforeCall + predictedModelMs + this.costModel.coefficients.overheadMs,
        total,
      ),
      modelRows: built.modelRows,
      requestRows: built.rows.length,
      naiveRequestRows: plan.naiveRowsInPrefix[kUsed - 1]!,
      forecasterCalls: calls,
      timings: {
        validateInput,
        sample: sampleMs,
        buildRows: buildRowsMs,
        model: modelMs,
        score: scoreMs,
        select: selectMs,
        total,
      },
      prior: prior.report,
      notes:
        kUsed < req.k && kUsed === sample.order.length
          ? [...notes, `only ${kUsed} configs are servable for this request (K = ${req.k} asked)`]
          : notes,
    };
  }

  /** The cold-start path (see cold-start.ts): one config for all metrics, no validation. */
  async #coldStart(
    req: ParsedRequest,
    reach: RequestReach,
    profiles: readonly MetricProfile[],
    ranges: readonly PlausibleRange[],
    reason: ColdStartReason,
    prior: PriorLookup,
    clock: StageClock,
    validateInput: number,
    skipped: SkipNote[],
  ): Promise<HarnessResult> {
    const space = this.space;
    const h = req.horizon;
    const notes: string[] = [];
    const M = req.metricNames.length;
    const levels = this.forecaster.levels;
    let path: HarnessPath;
    let index: number;
    if (reason === 'single-point-history') {
      path = 'cold-start-flat';
      index = space.defaultByResolution[0]!;
      notes.push(
        'a single observation: the forecast is that value, flat, at every quantile (zero-width intervals; no model call)',
      );
    } else {
      const pick = prior.map === null ? null : topPriorConfig(space, prior.map, reach);
      if (pick !== null && pick.index >= 0) {
        path = 'cold-start-prior';
        index = pick.index;
      } else {
        path = 'cold-start-default';
        index = effectiveDefault(space, reach, false);
        if (pick !== null)
          notes.push('the archetype prior has no config that can serve this request; the default config is used');
        if (index < 0) {
          const stale = req.metricNames.filter((_, m) => profiles[m]!.lastObserved < reach.n - 1);
          throw new HarnessError(
            'insufficient-data',
            `no config's context window reaches an observation (last observations: ${req.metricNames.map((name, m) => `${name} @ ${profiles[m]!.lastObserved}`).join(', ')} of ${reach.n})`,
            { metrics: stale },
          );
        }
        if (index !== space.defaultByResolution[0]) notes.push(defaultAdjustedNote(space, index, h));
      }
    }
    const config = space.configs[index]!;
    const key = space.keys[index]!;
    const sampleMs = clock.lap();

    const rows: ForecastRow[] =
      path === 'cold-start-flat' ? [] : req.series.map((values) => ({ values, horizon: h, config }));
    const modelRows = rows.length * modelRowsFor(config) * rolloutRounds(h, this.forecaster.maxHorizonMinutes(config));
    const spentBeforeCall = clock.elapsed();
    const availableModelMs = req.budgetMs - spentBeforeCall - this.costModel.coefficients.overheadMs;
    const predictedModelMs = rows.length === 0 ? 0 : this.costModel.predictModelMs(modelRows);
    const buildRowsMs = clock.lap();

    let forecasts: QuantileForecast[] = [];
    let calls = 0;
    let callStart = performance.now();
    if (rows.length > 0) {
      ({ forecasts, calls } = await this.#callModel(rows));
      this.costModel.observeModel(modelRows, performance.now() - callStart);
    }
    // The final-forecast guard's one extra model call (rare): a cold-start-prior config whose
    // forecast fails the guard on some metric falls back to the default, forecast on demand for
    // those metrics only. cold-start-default has nothing to fall back to (the default is the last
    // resort); cold-start-flat repeats the single observation, which lies inside any range built
    // from it, so it is not checked.
    const defaultIndex = path === 'cold-start-prior' ? effectiveDefault(space, reach, false) : -1;
    const onDemand = new Map<number, Float32Array>();
    let extraRows = 0;
    if (defaultIndex >= 0 && defaultIndex !== index) {
      const failing = req.metricNames.flatMap((_, m) =>
        checkFinal(forecasts[m]!.quantiles, ranges[m]!).ok ? [] : [m],
      );
      if (failing.length > 0) {
        const defaultConfig = space.configs[defaultIndex]!;
        const extra = failing.map((m) => ({ values: req.series[m]!, horizon: h, config: defaultConfig }));
        callStart = performance.now();
        const out = await this.#callModel(extra);
        calls += out.calls;
        extraRows =
          extra.length *
          modelRowsFor(defaultConfig) *
          rolloutRounds(h, this.forecaster.maxHorizonMinutes(defaultConfig));
        this.costModel.observeModel(extraRows, performance.now() - callStart);
        failing.forEach((m, i) => onDemand.set(m, out.forecasts[i]!.quantiles));
      }
    }
    const modelMs = clock.lap();
    const scoreMs = clock.lap();

    const forecast: Record<string, Float32Array> = {};
    const quantiles: Record<string, QuantileForecast> = {};
    const winner: Record<string, MetricWinner> = {};
    const fallbacks: FinalFallback[] = [];
    for (let m = 0; m < M; m++) {
      const metric = req.metricNames[m]!;
      let q: QuantileForecast;
      winner[metric] = { key, config, score: null, tieToDefault: false, chosenBy: path };
      if (path === 'cold-start-flat') {
        q = new QuantileForecast(flatQuantiles(req.series[m]![0]!, h, levels.length), h, levels, config);
      } else {
        // The client already applied each config's post-processing (rows carry the config itself).
        const candidates: FinalCandidate[] = [{ key, matrix: () => forecasts[m]!.quantiles }];
        if (defaultIndex >= 0 && defaultIndex !== index) {
          candidates.push({ key: space.keys[defaultIndex]!, matrix: () => onDemand.get(m) ?? null });
        }
        // The last candidate is the default — or the cold-start config itself when no default can serve.
        const choice = chooseFinal(metric, candidates, candidates.length - 1, ranges[m]!);
        const used = choice.index === 0 ? config : space.configs[defaultIndex]!;
        if (choice.fallback !== null) {
          fallbacks.push(choice.fallback);
          notes.push(fallbackNote(choice.fallback));
          if (choice.index !== 0)
            winner[metric] = {
              key: space.keys[defaultIndex]!,
              config: used,
              score: null,
              tieToDefault: false,
              chosenBy: 'final-guard-fallback',
            };
        }
        q = new QuantileForecast(choice.matrix, h, levels, used);
      }
      quantiles[metric] = q;
      forecast[metric] = q.quantileAt(req.alpha);
    }
    // Cold start forecasts no validation window: there is nothing to calibrate from, and the
    // result says so per metric rather than silently ignoring the option.
    const calibration: CalibrationReport =
      req.options.calibration === 'none'
        ? emptyCalibration('none')
        : {
            ...emptyCalibration(req.options.calibration),
            unshifted: req.metricNames.map((metric) => ({
              metric,
              reason: `${path}: no validation window was forecast`,
            })),
          };
    const selectMs = clock.lap();
    const total = clock.elapsed();
    return {
      tenantId: req.tenant.id,
      path,
      coldStartReason: reason,
      alpha: req.alpha,
      tier: req.tier,
      horizon: h,
      selection: req.options.selection,
      metrics: req.metricNames,
      levels,
      forecast,
      quantiles,
      calibration,
      winner,
      fallbacks,
      finalBounds: boundsReport(req.metricNames, ranges),
      tenantWinner: null,
      defaultKey: space.keys[effectiveDefaultOrFirst(space, reach)]!,
      tried: [],
      budgetCut: [],
      skipped,
      scales: {},
      kRequested: req.k,
      kUsed: 1,
      kLowered: false,
      budget: budgetReport(
        this.budgetMode,
        req.budgetMs,
        availableModelMs,
        predictedModelMs,
        modelMs,
        spentBeforeCall + predictedModelMs + this.costModel.coefficients.overheadMs,
        total,
      ),
      modelRows: modelRows + extraRows,
      requestRows: rows.length + onDemand.size,
      naiveRequestRows: rows.length + onDemand.size,
      forecasterCalls: calls,
      timings: {
        validateInput,
        sample: sampleMs,
        buildRows: buildRowsMs,
        model: modelMs,
        score: scoreMs,
        select: selectMs,
        total,
      },
      prior: prior.report,
      notes,
    };
  }

  #lookUpPrior(tenant: TenantHistory): PriorLookup {
    const source = this.priorSource;
    if (source === null) {
      return {
        map: null,
        report: { configured: false, available: false, archetype: null, keys: 0, unknownKeys: 0, error: null },
      };
    }
    try {
      const map = source.prior(tenant);
      const archetype = source.archetype?.(tenant) ?? null;
      let unknownKeys = 0;
      if (map !== null) for (const key of map.keys()) if (this.space.indexOf(key) === undefined) unknownKeys++;
      return {
        map,
        report: {
          configured: true,
          available: map !== null,
          archetype,
          keys: map?.size ?? 0,
          unknownKeys,
          error: null,
        },
      };
    } catch (error) {
      // A broken prior store must not take forecasting down: continue without it, say so.
      const message = error instanceof Error ? error.message : String(error);
      return {
        map: null,
        report: { configured: true, available: false, archetype: null, keys: 0, unknownKeys: 0, error: message },
      };
    }
  }

  /** Every row to the full horizon: one batched call, or one per round when rolling out (rollout.ts). */
  #callModel(rows: readonly ForecastRow[]): Promise<RolledOut> {
    return forecastRolledOut(this.forecaster, rows, (round) => this.#callOnce(round));
  }

  async #callOnce(rows: readonly ForecastRow[]): Promise<QuantileForecast[]> {
    let out: QuantileForecast[];
    try {
      out = await this.forecaster.forecastBatch(rows);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new HarnessError(
        'model-failure',
        `forecastBatch failed on ${rows.length} rows: ${message}`,
        { rows: rows.length },
        { cause },
      );
    }
    const L = this.forecaster.levels.length;
    if (
      !Array.isArray(out) ||
      out.length !== rows.length ||
      out.some((f, i) => f?.quantiles?.length !== rows[i]!.horizon * L)
    ) {
      throw new HarnessError('model-failure', `forecastBatch returned a malformed result for ${rows.length} rows`, {
        rows: rows.length,
      });
    }
    return out;
  }
}

function validationData(req: ParsedRequest): ValidationData {
  const { n, horizon: h, series, metricNames } = req;
  const W = req.options.validationWindows;
  const O = W + 1;
  const M = series.length;
  const ends = Array.from({ length: O }, (_, o) => n - o * h);
  const lastObs = new Int32Array(M * O);
  const scorable = new Uint8Array(M * O);
  const actual: (Float32Array | null)[] = new Array(M * O).fill(null);
  const scales = new Float64Array(M);
  const scaleReport: Record<string, MetricScale> = {};
  const skipped: SkipNote[] = [];
  let anyScorable = false;
  for (let m = 0; m < M; m++) {
    const values = series[m]!;
    for (let o = 0; o < O; o++) {
      lastObs[m * O + o] = lastObservedBefore(values, ends[o]!);
      if (o === 0) continue;
      const from = ends[o]!;
      if (observedIn(values, from, from + h) > 0) {
        scorable[m * O + o] = 1;
        actual[m * O + o] = values.subarray(from, from + h);
        anyScorable = true;
      } else {
        skipped.push({
          metric: metricNames[m]!,
          window: o,
          reason: `validation window ${o} (points ${from}–${from + h - 1}) has no observed value; not scored`,
        });
      }
    }
    const scale = metricScale(values, n - W * h);
    scales[m] = scale.value;
    scaleReport[metricNames[m]!] = scale;
  }
  return { ends, lastObs, scorable, actual, scales, scaleReport, anyScorable, skipped };
}

const emptyCalibration = (method: CalibrationMethod): CalibrationReport => ({
  method,
  shifts: {},
  residuals: {},
  configs: {},
  capped: [],
  unshifted: [],
});

/** Collects the per-metric shifts of one request and applies them (calibration.ts). */
class Calibrator {
  readonly #method: CalibrationMethod;
  readonly #alpha: number;
  readonly #shifts: Record<string, number> = {};
  readonly #residuals: Record<string, number> = {};
  readonly #configs: Record<string, string> = {};
  readonly #capped: string[] = [];
  readonly #unshifted: { metric: string; reason: string }[] = [];

  constructor(method: CalibrationMethod, alpha: number) {
    this.#method = method;
    this.#alpha = alpha;
  }

  /** The shifted α-quantile path, or `path` itself when `residuals` is a reason not to shift. */
  apply(
    metric: string,
    config: string,
    residuals: number[] | string,
    path: Float32Array,
    nonNegative: boolean,
  ): Float32Array {
    if (typeof residuals === 'string') {
      this.#unshifted.push({ metric, reason: `${config}: ${residuals}` });
      return path;
    }
    const { shift, n, capped } = conformalShift(residuals, this.#alpha);
    this.#shifts[metric] = shift;
    this.#residuals[metric] = n;
    this.#configs[metric] = config;
    if (capped) this.#capped.push(metric);
    return shiftPath(path, shift, nonNegative);
  }

  report(): CalibrationReport {
    return {
      method: this.#method,
      shifts: this.#shifts,
      residuals: this.#residuals,
      configs: this.#configs,
      capped: this.#capped,
      unshifted: this.#unshifted,
    };
  }
}

function priorWeightsFor(space: ConfigSpace, prior: ReadonlyMap<string, number>): Float64Array {
  const weights = new Float64Array(space.configs.length);
  for (const [key, w] of prior) {
    const i = space.indexOf(key);
    if (i !== undefined && w > 0 && Number.isFinite(w)) weights[i] = w;
  }
  return weights;
}

function boundsReport(
  metricNames: readonly string[],
  ranges: readonly PlausibleRange[],
): Record<string, PlausibleRange> {
  const out: Record<string, PlausibleRange> = {};
  metricNames.forEach((name, m) => (out[name] = ranges[m]!));
  return out;
}

function budgetReport(
  mode: BudgetMode,
  budgetMs: number,
  availableModelMs: number,
  predictedModelMs: number,
  actualModelMs: number,
  predictedTotalMs: number,
  actualTotalMs: number,
): BudgetReport {
  return {
    mode,
    budgetMs,
    availableModelMs,
    predictedModelMs,
    actualModelMs,
    predictedTotalMs,
    actualTotalMs,
    overBudget: actualTotalMs > budgetMs,
  };
}

function defaultAdjustedNote(space: ConfigSpace, index: number, h: number): string {
  return `the default config at its own resolution cannot serve this request (horizon ${h} min beyond its reach, or no observation inside its context window); using ${space.keys[index]}`;
}

function effectiveDefaultOrFirst(space: ConfigSpace, reach: RequestReach): number {
  const i = effectiveDefault(space, reach, false);
  return i >= 0 ? i : space.defaultByResolution[0]!;
}
