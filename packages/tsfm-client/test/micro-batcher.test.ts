import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  ForecastRequestError,
  loadModel,
  MicroBatcher,
  parseConfig,
  QuantileForecast,
  type BatchForecaster,
  type ForecastConfig,
  type ForecastRow,
  type TsfmClient,
} from '../src/index.js';
import { writePretrainShapedModel } from './helpers/pretrain-model.js';

const CONFIG: ForecastConfig = parseConfig({ ...DEFAULT_CONFIG, contextLength: 128 });

/**
 * A forecaster whose forecast of a row is the row's first value (one level, so a result can be
 * traced back to its row), that records every call, and whose calls finish when the test says.
 */
class RecordingForecaster implements BatchForecaster {
  readonly levels = [0.5];
  readonly contract = { contextLength: 128, horizon: 8 };
  readonly calls: number[][] = [];
  readonly #gates: Array<() => void> = [];
  gated = false;

  supportsConfig(): boolean {
    return true;
  }

  maxHorizonMinutes(): number {
    return 8;
  }

  async forecastBatch(rows: readonly ForecastRow[]): Promise<QuantileForecast[]> {
    this.calls.push(rows.map((r) => r.values[0]));
    if (this.gated) await new Promise<void>((resolve) => this.#gates.push(resolve));
    if (rows.some((r) => r.values[0] < 0))
      throw new ForecastRequestError(
        rows.findIndex((r) => r.values[0] < 0),
        'a negative marker row',
      );
    return rows.map((r) => new QuantileForecast(Float32Array.of(r.values[0]), 1, this.levels, r.config));
  }

  /** Let the oldest gated call finish; resolves once one was waiting. */
  async release(): Promise<void> {
    while (this.#gates.length === 0) await new Promise((r) => setImmediate(r));
    this.#gates.shift()!();
  }
}

const row = (id: number): ForecastRow => ({ values: Float32Array.of(id, 1, 2), horizon: 1, config: CONFIG });
const ids = (forecasts: readonly QuantileForecast[]) => forecasts.map((f) => f.quantiles[0]);

describe('MicroBatcher', () => {
  it('merges calls made in one window into one model call, and gives each caller its own rows back', async () => {
    const inner = new RecordingForecaster();
    // A window that never closes by time: the batch is closed by maxRows (= the 6 rows sent).
    const batcher = new MicroBatcher(inner, { windowMs: 1e9, maxRows: 6 });
    const a = batcher.forecastBatch([row(1), row(2)]);
    const b = batcher.forecastBatch([row(3)]);
    const c = batcher.forecastBatch([row(4), row(5), row(6)]);
    expect(ids(await a)).toEqual([1, 2]);
    expect(ids(await b)).toEqual([3]);
    expect(ids(await c)).toEqual([4, 5, 6]);
    expect(inner.calls).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(batcher.stats).toEqual({ calls: 3, batches: 1, rows: 6, largestBatchCalls: 3 });
  });

  it('windowMs 0 merges the calls made in the same turn of the event loop', async () => {
    const inner = new RecordingForecaster();
    const batcher = new MicroBatcher(inner, { windowMs: 0 });
    const out = await Promise.all([1, 2, 3].map((i) => batcher.forecastBatch([row(i)])));
    expect(out.map(ids)).toEqual([[1], [2], [3]]);
    expect(inner.calls).toEqual([[1, 2, 3]]);
  });

  it('sends a lone call when its window closes', async () => {
    const inner = new RecordingForecaster();
    const batcher = new MicroBatcher(inner, { windowMs: 1 });
    expect(ids(await batcher.forecastBatch([row(7)]))).toEqual([7]);
    expect(inner.calls).toEqual([[7]]);
  });

  it('calls that arrive while the model is busy form the next batch, sent as soon as it is free', async () => {
    const inner = new RecordingForecaster();
    inner.gated = true;
    const batcher = new MicroBatcher(inner, { windowMs: 0 });
    const first = batcher.forecastBatch([row(1)]);
    await new Promise((r) => setImmediate(r));
    expect(inner.calls).toEqual([[1]]); // with the model
    const later = [batcher.forecastBatch([row(2)]), batcher.forecastBatch([row(3)])];
    await new Promise((r) => setImmediate(r));
    expect(batcher.waiting).toBe(2); // the window closed, but the model is busy
    await inner.release();
    expect(ids(await first)).toEqual([1]);
    await inner.release();
    expect((await Promise.all(later)).map(ids)).toEqual([[2], [3]]);
    expect(inner.calls).toEqual([[1], [2, 3]]);
  });

  it('keeps a batch within maxRows (whole calls only; a call larger than maxRows goes alone)', async () => {
    const inner = new RecordingForecaster();
    const batcher = new MicroBatcher(inner, { windowMs: 0, maxRows: 3 });
    const out = await Promise.all([
      batcher.forecastBatch([row(1), row(2)]),
      batcher.forecastBatch([row(3), row(4)]),
      batcher.forecastBatch([row(5), row(6), row(7), row(8)]),
    ]);
    expect(out.map(ids)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6, 7, 8],
    ]);
    expect(inner.calls).toEqual([
      [1, 2],
      [3, 4],
      [5, 6, 7, 8],
    ]);
  });

  it("one caller's bad row fails that caller only, with its own row index", async () => {
    const inner = new RecordingForecaster();
    const batcher = new MicroBatcher(inner, { windowMs: 0 });
    const good = batcher.forecastBatch([row(1), row(2)]);
    const bad = batcher.forecastBatch([row(3), row(-1)]);
    const alsoGood = batcher.forecastBatch([row(4)]);
    expect(ids(await good)).toEqual([1, 2]);
    await expect(bad).rejects.toThrow(/row 1: a negative marker row/);
    expect(ids(await alsoGood)).toEqual([4]);
  });

  it('an empty call resolves at once without a model call', async () => {
    const inner = new RecordingForecaster();
    const batcher = new MicroBatcher(inner);
    expect(await batcher.forecastBatch([])).toEqual([]);
    expect(inner.calls).toEqual([]);
  });

  it('refuses a negative window and a non-integer row cap', () => {
    const inner = new RecordingForecaster();
    expect(() => new MicroBatcher(inner, { windowMs: -1 })).toThrow(/windowMs/);
    expect(() => new MicroBatcher(inner, { maxRows: 1.5 })).toThrow(/maxRows/);
  });
});

describe('MicroBatcher over the real client (default architecture, random weights)', () => {
  let client: TsfmClient;
  beforeAll(async () => {
    client = await loadModel(writePretrainShapedModel());
  });
  afterAll(() => client.release());

  it('gives every caller bit-for-bit what the client gives it alone, whatever the batch around it', async () => {
    const series = (seed: number, n: number) =>
      Float32Array.from({ length: n }, (_, i) => 10 + Math.sin((i + seed) / 17) * 3 + ((i * seed) % 7) / 7);
    const configs = [
      CONFIG,
      parseConfig({ ...CONFIG, resolutionMinutes: 5 }),
      parseConfig({ ...CONFIG, normalisation: 'mean-std' }),
      parseConfig({ ...CONFIG, flip: true }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.record({ seed: fc.integer({ min: 1, max: 50 }), config: fc.integer({ min: 0, max: 3 }) }), {
            minLength: 1,
            maxLength: 4,
          }),
          { minLength: 1, maxLength: 5 },
        ),
        async (callers) => {
          const calls = callers.map((rows) =>
            rows.map(({ seed, config }) => ({ values: series(seed, 600), horizon: 30, config: configs[config] })),
          );
          const alone: QuantileForecast[][] = [];
          for (const rows of calls) alone.push(await client.forecastBatch(rows));
          const batcher = new MicroBatcher(client, { windowMs: 0 });
          const merged = await Promise.all(calls.map((rows) => batcher.forecastBatch(rows)));
          expect(batcher.stats.batches).toBe(1);
          merged.forEach((forecasts, c) =>
            forecasts.forEach((f, r) => expect(Array.from(f.quantiles)).toEqual(Array.from(alone[c][r].quantiles))),
          );
        },
      ),
      { numRuns: 15, seed: 13 },
    );
  });
});
