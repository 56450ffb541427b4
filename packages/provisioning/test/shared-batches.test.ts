import { CostModel, Harness, MemoryOnlineStore, type HarnessForecaster } from '@tsfm/harness';
import { loadModel, QuantileForecast, type ForecastRow, type TsfmClient } from '@tsfm/tsfm-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pretrainShapedModel } from '../../../test-fixtures/models.js';
import { syntheticTenant } from '../../../test-fixtures/tenants.js';
import { SharedBatches } from '../src/cli/shared-batches.js';

/** A forecaster whose every quantile is the row's origin plus its call number: a reused answer shows. */
function countingForecaster(): HarnessForecaster & { calls: number } {
  const f = {
    calls: 0,
    levels: [0.1, 0.5, 0.9],
    contract: { contextLength: 64, horizon: 16 },
    supportsConfig: () => true,
    maxHorizonMinutes: () => 16,
    forecastBatch(rows: readonly ForecastRow[]) {
      f.calls++;
      return Promise.resolve(
        rows.map(
          (r) =>
            new QuantileForecast(
              new Float32Array(r.horizon * 3).fill((r.end ?? 0) + f.calls),
              r.horizon,
              f.levels,
              r.config,
            ),
        ),
      );
    },
  };
  return f;
}

const CONFIG = {
  contextLength: 64,
  resolutionMinutes: 1,
  normalisation: 'none',
  flip: false,
  clampNonNegative: true,
  fixCrossing: true,
} as const;

describe('SharedBatches', () => {
  it("answers a batch equal to the current history's earlier one from it, with copies", async () => {
    const inner = countingForecaster();
    const shared = new SharedBatches(inner);
    const trace = new Float32Array(100);
    const rows = (n: number, end: number): ForecastRow[] => [
      { values: trace.subarray(0, n), horizon: 4, config: CONFIG, end },
    ];
    const first = await shared.forecastBatch(rows(50, 40));
    first[0].quantiles.fill(-1); // a caller editing its forecast in place
    const again = await shared.forecastBatch(rows(50, 40)); // another view of the same history
    expect(again[0].quantiles[0]).toBe(41);
    expect(inner.calls).toBe(1);
    // Another origin on the same history: another batch.
    expect((await shared.forecastBatch(rows(50, 30)))[0].quantiles[0]).toBe(32);
    // The next decision's history drops the previous one's batches.
    await shared.forecastBatch(rows(55, 40));
    expect((await shared.forecastBatch(rows(50, 40)))[0].quantiles[0]).toBe(44);
    expect({ inner: inner.calls, calls: shared.calls, reused: shared.reused }).toEqual({
      inner: 4,
      calls: 4,
      reused: 1,
    });
    // Same values in another buffer: not assumed equal.
    await shared.forecastBatch([{ values: trace.slice(0, 50), horizon: 4, config: CONFIG, end: 40 }]);
    expect(inner.calls).toBe(5);
  });

  describe('under the harness, on a real ONNX model', () => {
    let client: TsfmClient;
    beforeAll(async () => {
      client = await loadModel(pretrainShapedModel());
    });
    afterAll(() => client.release());

    it('gives every α the result of a harness on the bare model, with one model call per decision', async () => {
      const costModel = () => new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 });
      const shared = new SharedBatches(client);
      const bare = await Harness.create(client, {
        budgetMode: 'measure',
        costModel: costModel(),
        online: { store: new MemoryOnlineStore() },
      });
      const viaShared = await Harness.create(shared, {
        budgetMode: 'measure',
        costModel: costModel(),
        online: { store: new MemoryOnlineStore() },
      });
      const trace = syntheticTenant(3 * 1440, 7).metrics.cpu;
      const decisions = [2 * 1440, 2 * 1440 + 5, 2 * 1440 + 10];
      for (const [decision, t] of decisions.entries()) {
        for (const alpha of [0.9, 0.65]) {
          const request = (values: Float32Array) => ({
            history: { id: `t@${alpha}`, metrics: { cpu: values } },
            horizon: 15,
            alpha,
            k: 8,
            seed: decision,
            options: { validationWindows: 2 },
          });
          const a = await bare.forecast(request(trace.subarray(0, t)));
          const b = await viaShared.forecast(request(trace.subarray(0, t)));
          expect(b.winner).toEqual(a.winner);
          expect(Array.from(b.forecast.cpu)).toEqual(Array.from(a.forecast.cpu));
          expect(b.peak).toEqual(a.peak);
          expect(b.calibration).toEqual(a.calibration);
        }
      }
      expect({ calls: shared.calls, reused: shared.reused }).toEqual({ calls: 3, reused: 3 });
    });
  });
});
