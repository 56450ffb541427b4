/**
 * Micro-batching: `forecastBatch` calls that arrive close together — concurrent requests of a
 * service, or the tenants an experiment forecasts side by side — reach the model as ONE call.
 *
 * Why: onnxruntime runs a batch of B rows in far less than B runs of one row (one graph
 * dispatch, and matrix products that use the cores' vector units), so a process that forecasts
 * many requests at once should hand the model their rows together. Each request keeps its own
 * rows, configs and results; only the model call is shared.
 *
 * How: the first call starts a window of `windowMs`; every call that arrives before it closes
 * joins the batch; `maxRows` pending rows close it early. At most one merged call is with the
 * model at a time, and calls that arrive meanwhile form the next batch — so under load batches
 * grow by themselves, and at rest a lone call waits only the window. When a merged call fails,
 * each caller's rows are run again on their own, so one caller's bad row fails only that caller
 * (and its error names its own row index, not a position in someone else's batch).
 *
 * The wrapped forecaster is used as is (TsfmClient, or anything with its batch surface); the
 * batcher exposes the same surface, so a Harness can be built on it unchanged.
 */
import type { ForecastConfig } from './config.js';
import type { ForecastRow } from './client.js';
import type { QuantileForecast } from './quantile-forecast.js';

/**
 * The part of TsfmClient a batcher wraps and exposes; also all that @tsfm/harness asks of a
 * forecaster (its HarnessForecaster is this interface).
 */
export interface BatchForecaster {
  /** Quantile levels of every forecast, strictly increasing. */
  readonly levels: readonly number[];
  /** Model context (steps at the row's resolution) and horizon (model steps). */
  readonly contract: { readonly contextLength: number; readonly horizon: number };
  /** Whether the model can serve this config at all (context fits, flip needs symmetric levels). */
  supportsConfig(config: ForecastConfig): boolean;
  /** Longest horizon (minutes) one row can ask for at this resolution. */
  maxHorizonMinutes(config: Pick<ForecastConfig, 'resolutionMinutes'>): number;
  /**
   * All rows in ONE model call; results in row order. Rows carry the 1-minute history, the
   * origin (`end`), the horizon and the config; see TsfmClient.forecastBatch.
   */
  forecastBatch(rows: readonly ForecastRow[]): Promise<QuantileForecast[]>;
}

export interface MicroBatchOptions {
  /**
   * How long the first pending call waits for others, in ms (default 2). 0 closes the batch at
   * the end of the current turn of the event loop (setImmediate): calls made in the same turn
   * are merged, none waits for a timer.
   */
  readonly windowMs?: number;
  /** Close the batch at once when this many rows are pending (default 2048). */
  readonly maxRows?: number;
}

export interface MicroBatchStats {
  /** forecastBatch calls received. */
  readonly calls: number;
  /** Merged calls made to the wrapped forecaster (retries after a failure not included). */
  readonly batches: number;
  /** Rows sent in merged calls. */
  readonly rows: number;
  /** Most callers merged into one batch. */
  readonly largestBatchCalls: number;
}

interface Pending {
  readonly rows: readonly ForecastRow[];
  readonly resolve: (forecasts: QuantileForecast[]) => void;
  readonly reject: (error: unknown) => void;
}

export const MICRO_BATCH_DEFAULTS = { windowMs: 2, maxRows: 2048 } as const satisfies Required<MicroBatchOptions>;

export class MicroBatcher implements BatchForecaster {
  readonly inner: BatchForecaster;
  readonly windowMs: number;
  readonly maxRows: number;
  #pending: Pending[] = [];
  #pendingRows = 0;
  #timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  #running = false;
  #calls = 0;
  #batches = 0;
  #rows = 0;
  #largest = 0;

  constructor(inner: BatchForecaster, options: MicroBatchOptions = {}) {
    const windowMs = options.windowMs ?? MICRO_BATCH_DEFAULTS.windowMs;
    const maxRows = options.maxRows ?? MICRO_BATCH_DEFAULTS.maxRows;
    if (!(Number.isFinite(windowMs) && windowMs >= 0)) throw new RangeError(`windowMs must be ≥ 0, got ${windowMs}`);
    if (!(Number.isInteger(maxRows) && maxRows >= 1))
      throw new RangeError(`maxRows must be an integer ≥ 1, got ${maxRows}`);
    this.inner = inner;
    this.windowMs = windowMs;
    this.maxRows = maxRows;
  }

  get levels(): readonly number[] {
    return this.inner.levels;
  }

  get contract(): BatchForecaster['contract'] {
    return this.inner.contract;
  }

  supportsConfig(config: ForecastConfig): boolean {
    return this.inner.supportsConfig(config);
  }

  maxHorizonMinutes(config: Pick<ForecastConfig, 'resolutionMinutes'>): number {
    return this.inner.maxHorizonMinutes(config);
  }

  get stats(): MicroBatchStats {
    return { calls: this.#calls, batches: this.#batches, rows: this.#rows, largestBatchCalls: this.#largest };
  }

  /** Calls waiting for their batch to be sent (not counting the batch with the model). */
  get waiting(): number {
    return this.#pending.length;
  }

  forecastBatch(rows: readonly ForecastRow[]): Promise<QuantileForecast[]> {
    this.#calls++;
    if (rows.length === 0) return Promise.resolve([]);
    return new Promise<QuantileForecast[]>((resolve, reject) => {
      this.#pending.push({ rows, resolve, reject });
      this.#pendingRows += rows.length;
      if (this.#pendingRows >= this.maxRows) this.#closeWindow();
      else this.#timer ??= this.#openWindow();
    });
  }

  #openWindow(): NodeJS.Timeout | NodeJS.Immediate {
    const close = () => {
      this.#timer = null;
      this.#closeWindow();
    };
    return this.windowMs === 0 ? setImmediate(close) : setTimeout(close, this.windowMs);
  }

  /** The window is over: send the batch now, or as soon as the model is free. */
  #closeWindow(): void {
    this.#cancelWindow();
    if (this.#running) return; // #send picks the pending calls up when the model call returns
    void this.#send();
  }

  #cancelWindow(): void {
    if (this.#timer === null) return;
    if (this.windowMs === 0) clearImmediate(this.#timer as NodeJS.Immediate);
    else clearTimeout(this.#timer as NodeJS.Timeout);
    this.#timer = null;
  }

  async #send(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#take();
        await this.#runBatch(batch);
      }
    } finally {
      this.#running = false;
    }
  }

  /** Up to maxRows rows of pending calls, whole calls only (a call larger than maxRows goes alone). */
  #take(): Pending[] {
    let rows = 0;
    let n = 0;
    while (n < this.#pending.length) {
      const next = this.#pending[n].rows.length;
      if (n > 0 && rows + next > this.maxRows) break;
      rows += next;
      n++;
    }
    const batch = this.#pending.splice(0, n);
    this.#pendingRows -= rows;
    // Calls that waited for the model to be free have waited long enough: no window for them.
    if (this.#pending.length === 0) this.#cancelWindow();
    return batch;
  }

  async #runBatch(batch: readonly Pending[]): Promise<void> {
    if (batch.length === 1) {
      const only = batch[0];
      this.#count(1, only.rows.length);
      await this.#call(only.rows).then(only.resolve, only.reject);
      return;
    }
    const merged: ForecastRow[] = [];
    for (const p of batch) for (const row of p.rows) merged.push(row);
    this.#count(batch.length, merged.length);
    let forecasts: QuantileForecast[];
    try {
      forecasts = await this.#call(merged);
    } catch {
      // Find the culprit: each caller alone, so the others still get their forecasts.
      for (const p of batch) await this.#call(p.rows).then(p.resolve, p.reject);
      return;
    }
    let offset = 0;
    for (const p of batch) {
      p.resolve(forecasts.slice(offset, offset + p.rows.length));
      offset += p.rows.length;
    }
  }

  /** A forecaster that throws instead of rejecting must not break the batch loop. */
  #call(rows: readonly ForecastRow[]): Promise<QuantileForecast[]> {
    return Promise.resolve().then(() => this.inner.forecastBatch(rows));
  }

  #count(calls: number, rows: number): void {
    this.#batches++;
    this.#rows += rows;
    if (calls > this.#largest) this.#largest = calls;
  }
}
