/**
 * Predicts a request's latency before its model call, so the harness can lower K to fit the
 * budget instead of finding out afterwards.
 *
 *   model call ≈ fixedMs + perRowMs · modelRows        (modelRows: what onnxruntime sees)
 *   request    ≈ time already spent + model call + overheadMs (scoring and selection after it)
 *
 * The line is fitted by exponentially weighted least squares over (modelRows, ms) observations:
 * warm-up calls at construction (several batch sizes, so the slope is identified), then every
 * real call. Real requests mostly repeat one batch size, which carries no information about the
 * slope; when the weighted spread of batch sizes is too small to fit one, the slope is kept and
 * only the intercept follows the recent mean. It predicts the mean, not the tail: a request on a
 * shared, loaded machine can still overrun, and the result reports predicted vs actual.
 */
import type { ForecastConfig, ForecastRow } from '@tsfm/tsfm-client';
import { HarnessError } from './errors.js';
import type { HarnessForecaster } from './forecaster.js';

export interface CostCoefficients {
  /** Per-call latency of the model call (ms). */
  readonly fixedMs: number;
  /** Added latency per model row (ms). */
  readonly perRowMs: number;
  /** Time spent after the model call (scoring, selection, result assembly), ms. */
  readonly overheadMs: number;
}

export interface CostModelOptions {
  /** Weight of the newest observation (0, 1]; older ones decay by (1 − decay) each. Default 0.1. */
  readonly decay?: number;
}

export class CostModel {
  readonly decay: number;
  #fixed: number;
  #perRow: number;
  #overhead: number;
  #observations = 0;
  #overheadSeen = false;
  // Exponentially weighted sums for least squares of ms on rows.
  #w = 0;
  #x = 0;
  #y = 0;
  #xx = 0;
  #xy = 0;

  constructor(initial: CostCoefficients, options: CostModelOptions = {}) {
    const decay = options.decay ?? 0.1;
    if (!(decay > 0 && decay <= 1))
      throw new HarnessError('bad-request', `cost model decay must be in (0, 1], got ${decay}`);
    this.decay = decay;
    this.#fixed = Math.max(0, initial.fixedMs);
    this.#perRow = Math.max(0, initial.perRowMs);
    this.#overhead = Math.max(0, initial.overheadMs);
  }

  get coefficients(): CostCoefficients {
    return { fixedMs: this.#fixed, perRowMs: this.#perRow, overheadMs: this.#overhead };
  }

  get observations(): number {
    return this.#observations;
  }

  predictModelMs(modelRows: number): number {
    return this.#fixed + this.#perRow * modelRows;
  }

  /**
   * The largest prefix length k (≥ 1) with prefixRows[k − 1] rows predicted to finish within
   * `availableMs` (budget minus time already spent minus post-call overhead). prefixRows is
   * non-decreasing. Returns 1 even when the first config alone is predicted to overrun: the
   * default is always tried and a request never returns nothing.
   */
  largestAffordablePrefix(prefixRows: ArrayLike<number>, availableMs: number): number {
    let k = 1;
    for (let i = 1; i < prefixRows.length; i++) {
      if (this.predictModelMs(prefixRows[i]) <= availableMs) k = i + 1;
      else break;
    }
    return k;
  }

  /** Record one model call. */
  observeModel(modelRows: number, ms: number): void {
    if (!(ms >= 0 && Number.isFinite(ms)) || !(modelRows > 0)) return;
    const keep = 1 - this.decay;
    this.#w = keep * this.#w + 1;
    this.#x = keep * this.#x + modelRows;
    this.#y = keep * this.#y + ms;
    this.#xx = keep * this.#xx + modelRows * modelRows;
    this.#xy = keep * this.#xy + modelRows * ms;
    this.#observations++;
    const mx = this.#x / this.#w;
    const my = this.#y / this.#w;
    const varX = this.#xx / this.#w - mx * mx;
    // A slope needs spread in batch size: demand a coefficient of variation of at least 5%.
    if (varX > 0.0025 * mx * mx) {
      const slope = (this.#xy / this.#w - mx * my) / varX;
      if (slope > 0) this.#perRow = slope;
    }
    const fixed = my - this.#perRow * mx;
    if (fixed >= 0) {
      this.#fixed = fixed;
    } else {
      // A slope fitted while the machine got slower can overshoot; rather than clamp the
      // intercept (which biases every prediction high), pass through the origin and the mean.
      this.#fixed = 0;
      this.#perRow = my / mx;
    }
  }

  /** Record the post-call overhead of one request (EMA with the same decay). */
  observeOverhead(ms: number): void {
    if (!(ms >= 0 && Number.isFinite(ms))) return;
    // The first real request replaces the initial guess; later ones are averaged in.
    this.#overhead = this.#overheadSeen ? (1 - this.decay) * this.#overhead + this.decay * ms : ms;
    this.#overheadSeen = true;
  }
}

export interface CalibrationOptions extends CostModelOptions {
  /** Batch sizes (request rows of `config`) for the warm-up calls. Default [1, 16, 64, 128]. */
  readonly batchSizes?: readonly number[];
  /** Rounds over batchSizes; the first round only warms up (JIT, ORT arena) and is discarded. Default 3. */
  readonly rounds?: number;
}

/**
 * Fit a CostModel from warm-up calls on `forecaster` with `config` rows (a flat synthetic
 * history, horizon = min(60, the config's reach)).
 */
export async function calibrateCostModel(
  forecaster: HarnessForecaster,
  config: ForecastConfig,
  options: CalibrationOptions = {},
): Promise<CostModel> {
  const sizes = options.batchSizes ?? [1, 16, 64, 128];
  const rounds = Math.max(2, options.rounds ?? 3);
  const history = new Float32Array(config.contextLength * config.resolutionMinutes + 60);
  for (let i = 0; i < history.length; i++) history[i] = 1 + 0.5 * Math.sin((2 * Math.PI * i) / 60);
  const horizon = Math.min(60, forecaster.maxHorizonMinutes(config));
  const rowsPerRequestRow = config.flip ? 2 : 1;
  const model = new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }, options);
  for (let round = 0; round < rounds; round++) {
    for (const size of sizes) {
      const rows: ForecastRow[] = Array.from({ length: size }, () => ({ values: history, horizon, config }));
      const t0 = performance.now();
      try {
        await forecaster.forecastBatch(rows);
      } catch (cause) {
        throw new HarnessError(
          'model-failure',
          `cost-model warm-up call (${size} rows) failed: ${(cause as Error).message}`,
          {},
          { cause },
        );
      }
      const ms = performance.now() - t0;
      if (round > 0) model.observeModel(size * rowsPerRequestRow, ms);
    }
  }
  return model;
}
