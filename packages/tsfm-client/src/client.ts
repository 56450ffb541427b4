/**
 * The forecaster client: one ORT InferenceSession per model, created once; `forecastBatch` turns
 * many (series, horizon, config) rows into ONE input tensor (plus one mask tensor) and ONE
 * `session.run`, then decodes every row.
 *
 * Buffers (input, mask, scratch) are allocated once and grown geometrically, so a steady stream
 * of same-sized batches allocates only what must be handed back: the result matrices (and
 * whatever ORT allocates for its output). Calls are serialised on an internal queue because
 * onnxruntime-node reads the input buffers when the run starts (on a later tick, not when
 * `run` is called), so an overlapping call would overwrite a batch still waiting to run.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { DEFAULT_CONFIG, NORMALISATIONS, parseConfig, type ForecastConfig } from './config.js';
import { ForecastRequestError, ModelContractError } from './errors.js';
import { levelsAreSymmetric } from './flip.js';
import type { ModelContract, ModelManifest } from './manifest.js';
import { readModelFiles } from './model-files.js';
import { newScaling, fitScaling, type Scaling } from './normalisation.js';
import { QuantileForecast } from './quantile-forecast.js';
import { AggregationCache } from './aggregation-cache.js';
import { decodeRow, type DecodeScratch } from './row-decoder.js';
import { writeModelRow } from './row-encoder.js';
import { checkOutputTensor, checkSessionMetadata, probeSession, type SessionLike } from './session-check.js';
import { flattenTenant, type TenantForecast, type TenantLike } from './tenant.js';

/** One request: forecast `horizon` 1-minute steps after values[0, end) with `config`. */
export interface ForecastRow {
  /** 1-minute history; NaN marks a missing minute. */
  readonly values: Float32Array;
  /** Forecast length in 1-minute steps. */
  readonly horizon: number;
  readonly config: ForecastConfig;
  /**
   * History is values[0, end) (default: all of it). Rolling-origin validation passes the same
   * array with an earlier end instead of copying a prefix.
   */
  readonly end?: number;
}

export interface ClientOptions {
  /** ORT intra-op threads (default 1). */
  readonly intraOpNumThreads?: number;
  /** ONNX file; default: the manifest's `file`, relative to the manifest. */
  readonly onnxPath?: string;
  /** Run one batch-2 probe at load to check the output shape (default true). */
  readonly probe?: boolean;
  /**
   * Let ORT's intra-op worker threads spin-wait between runs (ORT's own default is on; ours is
   * off). With 2 threads on 2 shared cores, spinning doubled CPU per call (3.0–3.3 ms vs
   * 1.8 ms for 86 rows of the default model) and competed with the JS thread that encodes and
   * decodes the batch, for no gain in p50; see docs/benchmarks.md.
   */
  readonly allowSpinning?: boolean;
  /**
   * ORT's CPU memory arena (default on). The arena keeps the largest batch's buffers for the
   * session's life, which suits batch experiments; a long-lived server whose micro-batches vary
   * in size turns it off so memory taken at a load peak goes back to the allocator afterwards
   * (docs/service.md, "Memory after a load peak").
   */
  readonly memoryArena?: boolean;
}

const makeTensor = (data: Float32Array, dims: readonly number[]): Tensor => new Tensor('float32', data, dims);

/** Load, verify and open a model described by its manifest (`model.json`). */
export async function loadModel(manifestPath: string, options: ClientOptions = {}): Promise<TsfmClient> {
  const { manifest, contract, bytes, onnxFile } = await readModelFiles(manifestPath, options.onnxPath);
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      // One graph, run sequentially: inter-op parallelism only adds thread hand-offs for an MLP.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: options.memoryArena ?? true,
      extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' } } },
    });
  } catch (cause) {
    throw new ModelContractError(
      onnxFile,
      '(file)',
      `onnxruntime cannot load the model: ${firstLine((cause as Error).message)}`,
      { cause },
    );
  }
  try {
    return await TsfmClient.create(manifest, contract, session, { file: onnxFile, probe: options.probe ?? true });
  } catch (error) {
    await session.release();
    throw error;
  }
}

export class TsfmClient {
  readonly manifest: ModelManifest;
  readonly contract: ModelContract;
  /** The model's quantile levels, strictly increasing. */
  readonly levels: readonly number[];
  /** DEFAULT_CONFIG with its context length capped at the model's. */
  readonly defaultConfig: ForecastConfig;

  readonly #session: SessionLike;
  readonly #file: string;
  readonly #symmetric: boolean;
  #capacity = 0;
  #context = new Float32Array(0);
  #mask: Float32Array | null = null;
  #tensorRows = -1;
  #feeds: Record<string, Tensor> = {};
  #scalings: Scaling[] = [];
  #counts = new Int32Array(0);
  #plainRow = new Int32Array(0);
  #flipRow = new Int32Array(0);
  /** writers[m] = 2 · (request row that encodes model row m) + (1 if negated). */
  #writers = new Int32Array(0);
  readonly #seen = new Map<number, number>();
  #lastModelRows = 0;
  readonly #aggregates: AggregationCache;
  readonly #scratch: DecodeScratch;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(manifest: ModelManifest, contract: ModelContract, session: SessionLike, file: string) {
    this.manifest = manifest;
    this.contract = contract;
    this.levels = contract.levels;
    this.#session = session;
    this.#file = file;
    this.#symmetric = levelsAreSymmetric(contract.levels);
    this.#aggregates = new AggregationCache(contract.contextLength);
    const block = contract.horizon * contract.channels.length;
    this.#scratch = { coarse: new Float64Array(block) };
    this.defaultConfig = parseConfig({
      ...DEFAULT_CONFIG,
      contextLength: Math.min(DEFAULT_CONFIG.contextLength, contract.contextLength),
    });
  }

  /**
   * Wrap an already-open session (tests pass a counting wrapper around a real one). Checks the
   * session against the manifest and, unless `probe` is false, runs one batch-2 probe.
   */
  static async create(
    manifest: ModelManifest,
    contract: ModelContract,
    session: SessionLike,
    options: { file?: string; probe?: boolean } = {},
  ): Promise<TsfmClient> {
    const file = options.file ?? manifest.name;
    checkSessionMetadata(session, manifest, contract, file);
    if (options.probe ?? true) await probeSession(session, contract, makeTensor, file);
    return new TsfmClient(manifest, contract, session, file);
  }

  /** Model rows (batch size seen by ORT) of the last forecastBatch call, after de-duplication. */
  get lastModelRows(): number {
    return this.#lastModelRows;
  }

  /** Longest horizon (minutes) one row can ask for at this config's resolution. */
  maxHorizonMinutes(config: Pick<ForecastConfig, 'resolutionMinutes'>): number {
    return this.contract.horizon * config.resolutionMinutes;
  }

  /** Whether this model can serve `config` at all (context fits; flip needs symmetric levels). */
  supportsConfig(config: ForecastConfig): boolean {
    return config.contextLength <= this.contract.contextLength && (!config.flip || this.#symmetric);
  }

  /**
   * Forecast every row with ONE session.run. Rows are validated first; a bad row rejects the
   * whole batch with a ForecastRequestError naming it. Results are in row order.
   */
  forecastBatch(rows: readonly ForecastRow[]): Promise<QuantileForecast[]> {
    const run = this.#queue.then(() => this.#forecastNow(rows));
    // Keep the queue alive after a failure; the caller still sees the rejection through `run`.
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Forecast every metric of a tenant with one batch (one row per metric) and regroup by metric.
   * `metrics` picks a subset (default: all, in the tenant's key order).
   */
  async forecastTenant(
    tenant: TenantLike,
    horizon: number,
    config: ForecastConfig,
    options: { metrics?: readonly string[]; end?: number } = {},
  ): Promise<TenantForecast> {
    const flat = flattenTenant(tenant, horizon, config, options);
    const results = await this.forecastBatch(flat.map((f) => f.row));
    const byMetric: Record<string, QuantileForecast> = {};
    flat.forEach((f, i) => {
      byMetric[f.metric] = results[i];
    });
    return byMetric;
  }

  async release(): Promise<void> {
    await this.#queue;
    await this.#session.release?.();
  }

  async #forecastNow(rows: readonly ForecastRow[]): Promise<QuantileForecast[]> {
    const contract = this.contract;
    const C = contract.contextLength;
    const configs = rows.map((row, i) => this.#validateRow(row, i));
    const nRows = rows.length;
    if (nRows === 0) return [];
    this.#ensureRowCapacity(nRows);

    // Aggregate each distinct (series, end, resolution) once.
    const cache = this.#aggregates;
    const counts = this.#counts;
    cache.reset();
    for (let i = 0; i < nRows; i++) {
      const row = rows[i];
      const r = configs[i].resolutionMinutes;
      const end = row.end ?? row.values.length;
      counts[i] = Math.min(configs[i].contextLength, Math.floor(end / r));
      cache.plan(i, row.values, end, r, counts[i]);
    }

    const plain = this.#plainRow;
    const flipped = this.#flipRow;
    const writers = this.#writers;
    let modelRows = 0;
    try {
      cache.fill();
      // One model row per distinct model input: (aggregate, context length, normalisation, sign).
      // Harness batches repeat inputs — configs that differ only in clamp / crossing fix, and a
      // flip config's plain row is a non-flip config's row — and the model is the dominant cost.
      const seen = this.#seen;
      seen.clear();
      const modelRowFor = (key: number, writer: number): number => {
        let m = seen.get(key);
        if (m === undefined) {
          m = modelRows++;
          seen.set(key, m);
          writers[m] = writer;
        }
        return m;
      };
      for (let i = 0; i < nRows; i++) {
        const config = configs[i];
        const key =
          ((cache.slotOf(i) * (C + 1) + counts[i]) * NORMALISATION_CODES.length +
            NORMALISATION_CODES.indexOf(config.normalisation)) *
          2;
        plain[i] = modelRowFor(key, 2 * i);
        flipped[i] = config.flip ? modelRowFor(key + 1, 2 * i + 1) : -1;
      }

      this.#ensureModelCapacity(modelRows);
      const context = this.#context;
      const mask = this.#mask;
      const coarse = cache.data;
      for (let i = 0; i < nRows; i++) {
        const n = counts[i];
        fitScaling(
          coarse,
          cache.offsetOf(i, n),
          n,
          configs[i].normalisation,
          contract.inputScaling,
          this.#scalings[i],
          i,
        );
      }
      for (let m = 0; m < modelRows; m++) {
        const writer = writers[m];
        const i = writer >> 1;
        const n = counts[i];
        writeModelRow(
          coarse,
          cache.offsetOf(i, n),
          n,
          this.#scalings[i],
          writer & 1 ? -1 : 1,
          contract,
          context,
          mask,
          m * C,
        );
      }
    } finally {
      // Drop the references to the caller's arrays; the cache's buffer itself is kept.
      cache.reset();
    }

    this.#lastModelRows = modelRows;
    const feeds = this.#feedsFor(modelRows);
    const result = await this.#session.run(feeds, [contract.outputName]);
    const output = checkOutputTensor(result[contract.outputName], modelRows, contract, this.#file);

    const forecasts = new Array<QuantileForecast>(nRows);
    for (let i = 0; i < nRows; i++) {
      const row = rows[i];
      const config = configs[i];
      const quantiles = decodeRow(
        output,
        plain[i],
        flipped[i],
        row.horizon,
        config,
        this.#scalings[i],
        contract,
        this.#scratch,
      );
      forecasts[i] = new QuantileForecast(quantiles, row.horizon, this.levels, config);
    }
    return forecasts;
  }

  #validateRow(row: ForecastRow, i: number): ForecastConfig {
    const config = parseConfig(row.config, i);
    const { contextLength: C, horizon: H } = this.contract;
    if (!(row.values instanceof Float32Array)) throw new ForecastRequestError(i, 'values must be a Float32Array');
    const end = row.end ?? row.values.length;
    if (!Number.isInteger(end) || end < 0 || end > row.values.length) {
      throw new ForecastRequestError(i, `end ${end} is outside the series (length ${row.values.length})`);
    }
    if (!Number.isInteger(row.horizon) || row.horizon < 1) {
      throw new ForecastRequestError(i, `horizon must be a positive integer number of minutes, got ${row.horizon}`);
    }
    const r = config.resolutionMinutes;
    const steps = Math.ceil(row.horizon / r);
    if (steps > H) {
      throw new ForecastRequestError(
        i,
        `horizon ${row.horizon} min at resolution ${r} min needs ${steps} model steps; the model forecasts ${H} (max ${H * r} min at this resolution)`,
      );
    }
    if (config.contextLength > C) {
      throw new ForecastRequestError(
        i,
        `contextLength ${config.contextLength} exceeds the model's context of ${C} steps`,
      );
    }
    if (Math.floor(end / r) < 1) {
      throw new ForecastRequestError(i, `history of ${end} min is shorter than one ${r}-minute bucket`);
    }
    if (config.flip && !this.#symmetric) {
      throw new ForecastRequestError(
        i,
        `flip needs quantile levels symmetric about 0.5; this model's are ${JSON.stringify(this.levels)}`,
      );
    }
    return config;
  }

  #ensureRowCapacity(nRows: number): void {
    while (this.#scalings.length < nRows) this.#scalings.push(newScaling());
    if (this.#counts.length < nRows) {
      const size = nextPowerOfTwo(nRows);
      this.#counts = new Int32Array(size);
      this.#plainRow = new Int32Array(size);
      this.#flipRow = new Int32Array(size);
      // At most two model rows (plain and negated) per request row.
      this.#writers = new Int32Array(2 * size);
    }
  }

  #ensureModelCapacity(modelRows: number): void {
    if (modelRows <= this.#capacity) return;
    // Grow to a power of two so a slowly rising batch size reallocates O(log n) times.
    const capacity = nextPowerOfTwo(modelRows);
    const C = this.contract.contextLength;
    this.#context = new Float32Array(capacity * C);
    this.#mask = this.contract.maskInput === null ? null : new Float32Array(capacity * C);
    this.#capacity = capacity;
    this.#tensorRows = -1;
  }

  /** Tensors over the first `rows` rows of the shared buffers; cached while the size repeats. */
  #feedsFor(rows: number): Record<string, Tensor> {
    if (rows !== this.#tensorRows) {
      const C = this.contract.contextLength;
      // subarray(0, n) is a view (no copy) starting at byte 0 of the shared buffer.
      const feeds: Record<string, Tensor> = {
        [this.contract.contextInput]: makeTensor(this.#context.subarray(0, rows * C), [rows, C]),
      };
      if (this.contract.maskInput !== null && this.#mask !== null) {
        feeds[this.contract.maskInput] = makeTensor(this.#mask.subarray(0, rows * C), [rows, C]);
      }
      this.#feeds = feeds;
      this.#tensorRows = rows;
    }
    return this.#feeds;
  }
}

const NORMALISATION_CODES: readonly ForecastConfig['normalisation'][] = NORMALISATIONS;

function nextPowerOfTwo(n: number): number {
  let p = 8;
  while (p < n) p *= 2;
  return p;
}

function firstLine(message: string): string {
  return message.split('\n')[0].slice(0, 500);
}
