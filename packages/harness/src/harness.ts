/**
 * The harness (design.md §5): per request, search K configs of a frozen forecaster on the
 * tenant's own recent history and forecast with the winner.
 *
 * Stages, each timed (result.timings), each in the file named for it:
 *  validate-input  zod boundary, one profiling pass per metric, validation windows and loss
 *                  scales (validate-input.ts, validation-data.ts);
 *  sample          archetype prior (prior-lookup.ts) and the stratified sample of K configs
 *                  (config-sampler.ts);
 *  build-rows      deduplicated row plan (row-plan.ts); in `enforce` budget mode the cost model
 *                  lowers K (truncates the sample) so the predicted request time fits the budget
 *                  (budget.ts); rows for the kept prefix;
 *  model           ONE forecastBatch call — one per round when rolled out — holding every kept
 *                  config's validation AND final forecasts (model-call.ts, rollout.ts);
 *  score           scale-free α-loss of every config on every validation window (scoring.ts);
 *  select          winner(s), ties → default (select.ts); the final-forecast guard and the opt-in
 *                  calibration of the α-quantile (final-forecast.ts); the report
 *                  (result-assembly.ts).
 *
 * Requests that cannot be validated take the documented cold-start path (cold-start.ts). Every
 * failure leaves as a HarnessError.
 */
import type { ForecastConfig } from '@tsfm/tsfm-client';
import { BUDGET_MODES, type BudgetMode } from './budget.js';
import { coldStartForecast, effectiveDefault } from './cold-start.js';
import type { ConfigPriorSource } from './config-prior.js';
import { ConfigSpace, type HarnessModel } from './config-space.js';
import type { OnlineCalibrationOptions } from './online-calibration.js';
import { calibrateCostModel, type CalibrationOptions, type CostModel } from './cost-model.js';
import { asHarnessError, HarnessError } from './errors.js';
import { PLAUSIBLE_RANGE_MULTIPLE, type FinalGuardOptions } from './final-guard.js';
import type { HarnessForecaster } from './forecaster.js';
import { lookUpPrior } from './prior-lookup.js';
import type { HarnessRequest } from './request.js';
import type { HarnessResult } from './result.js';
import { searchForecast } from './search.js';
import { StageClock } from './stage-clock.js';
import { validateInput } from './validate-input.js';

export { BUDGET_MODES, type BudgetMode } from './budget.js';

export interface HarnessOptions {
  /** The primary model's name in results (default 'default'); its config keys carry no prefix. */
  readonly modelName?: string;
  /**
   * More ONNX models for the model dimension: their configs join the space (keys
   * `<name>/<configKey>`, same quantile levels required), each model's default is always tried, and
   * every model gets ONE batched call per request.
   */
  readonly models?: readonly HarnessModel[];
  /** The primary model's configs to search (default: configGrid up to its context). The default is always added. */
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
   * `enforce` (default, serving) or `measure` (evaluation: K fixed, latency measured, overruns
   * reported); see budget.ts. Anything that compares a metric across runs uses `measure`.
   */
  readonly budgetMode?: BudgetMode;
  /**
   * Online adaptive calibration of each tenant's peak from its realised outcomes, persisted in
   * `online.store` (online-calibration.ts). Off by default: it needs a tenant's requests in order.
   */
  readonly online?: OnlineCalibrationOptions;
}

export class Harness {
  readonly forecaster: HarnessForecaster;
  readonly space: ConfigSpace;
  readonly costModel: CostModel;
  readonly priorSource: ConfigPriorSource | null;
  /** c of the final-forecast guard's plausibility bound (Infinity: bound off). */
  readonly rangeMultiple: number;
  readonly budgetMode: BudgetMode;
  readonly online: OnlineCalibrationOptions | null;

  private constructor(
    forecaster: HarnessForecaster,
    space: ConfigSpace,
    costModel: CostModel,
    priorSource: ConfigPriorSource | null,
    rangeMultiple: number,
    budgetMode: BudgetMode,
    online: OnlineCalibrationOptions | null,
  ) {
    this.forecaster = forecaster;
    this.space = space;
    this.costModel = costModel;
    this.priorSource = priorSource;
    this.rangeMultiple = rangeMultiple;
    this.budgetMode = budgetMode;
    this.online = online;
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
      space = new ConfigSpace(
        [
          { name: options.modelName ?? 'default', forecaster, ...(options.grid ? { grid: options.grid } : {}) },
          ...(options.models ?? []),
        ],
        options.defaultConfig,
      );
    } catch (error) {
      throw asHarnessError(error, 'bad-request', 'invalid models, config grid or default config');
    }
    const defaultIndex = space.defaultByResolution[0];
    if (defaultIndex === undefined) {
      throw new HarnessError(
        'bad-request',
        'the default config is not servable by this model (context too long, or flip on asymmetric levels)',
      );
    }
    const costModel =
      options.costModel ?? (await calibrateCostModel(forecaster, space.configs[defaultIndex], options.calibration));
    const rate = options.online?.rate;
    if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
      throw new HarnessError('bad-request', `online.rate must be a positive number, got ${rate}`, {
        field: 'online.rate',
      });
    }
    return new Harness(
      forecaster,
      space,
      costModel,
      options.priorSource ?? null,
      rangeMultiple,
      budgetMode,
      options.online ?? null,
    );
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
    const { space, forecaster, costModel } = this;

    // validate-input
    const checked = validateInput(input, space, this.rangeMultiple);
    const { req, profiles, ranges, reach } = checked;
    const validateInputMs = clock.lap();

    // sample
    const prior = lookUpPrior(this.priorSource, space, req.tenant);
    const defaultIndex = checked.coldStartReason === null ? effectiveDefault(space, reach, true) : -1;
    if (checked.coldStartReason !== null || defaultIndex < 0) {
      return coldStartForecast({
        space,
        forecaster,
        costModel,
        budgetMode: this.budgetMode,
        req,
        reach,
        profiles,
        ranges,
        reason: checked.coldStartReason ?? 'default-config-cannot-be-validated',
        prior,
        clock,
        validateInputMs,
        skipped: checked.validation?.skipped ?? [],
      });
    }
    return searchForecast({
      space,
      forecaster,
      costModel,
      budgetMode: this.budgetMode,
      online: this.online,
      checked,
      validation: checked.validation,
      defaultIndex,
      prior,
      clock,
      validateInputMs,
    });
  }
}
