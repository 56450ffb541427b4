/**
 * The TSFM adapter over a real TsfmClient. The session behind it is a small JS function with a
 * known answer (ONNX Runtime's own Tensor type carries the data), so the test pins what the
 * adapter adds — level mapping, batching, roll-out past the model's horizon — independently of
 * any trained weights: output[b, j, c] = last context value + (j + 1) + (level_c − 0.5).
 */
import type { TsfmClient } from '@tsfm/tsfm-client';
import { describe, expect, it } from 'vitest';
import { tsfmForecaster } from '../src/models/tsfm.js';
import { DEFAULT_LEVELS, forecastAll } from '../src/types.js';
import { knownAnswerClient } from './helpers/known-answer-client.js';
import { rowsNonDecreasing } from './helpers/series.js';

const CONTEXT = 16;
const HORIZON = 4;

function makeClient(calls: { batches: number[] }): Promise<TsfmClient> {
  return knownAnswerClient({ context: CONTEXT, horizon: HORIZON, batches: calls.batches });
}

describe('tsfmForecaster', () => {
  const history = Float32Array.from({ length: 40 }, (_, i) => 50 + i);

  it('maps the model levels onto the requested ones and takes the median as the point', async () => {
    const calls = { batches: [] as number[] };
    const model = tsfmForecaster(await makeClient(calls));
    const f = await model.forecast({ history, horizon: 3, levels: [0.1, 0.5, 0.9] });
    expect(model.name).toBe('tsfm');
    expect(Array.from(f.point)).toEqual([90, 91, 92]);
    expect(Array.from(f.quantiles.subarray(0, 3)).map((v) => Number(v.toFixed(4)))).toEqual([89.6, 90, 90.4]);
  });

  it("returns the default 13 levels, non-crossing, extrapolating beyond the model's 0.1 and 0.9", async () => {
    const f = await tsfmForecaster(await makeClient({ batches: [] })).forecast({ history, horizon: 2 });
    expect(f.levels).toEqual(DEFAULT_LEVELS);
    expect(f.quantiles.length).toBe(2 * DEFAULT_LEVELS.length);
    expect(rowsNonDecreasing(f.quantiles, DEFAULT_LEVELS.length)).toBe(true);
    expect(f.quantiles[0]).toBeLessThan(89.6); // 0.01 below the model's 0.1
  });

  it('rolls out past the model horizon by feeding back its median path', async () => {
    const f = await tsfmForecaster(await makeClient({ batches: [] })).forecast({ history, horizon: 10 });
    expect(Array.from(f.point)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  });

  it('forecasts many series with one session call per round', async () => {
    const calls = { batches: [] as number[] };
    const model = tsfmForecaster(await makeClient(calls));
    const inputs = [0, 10, 20].map((shift) => ({ history: history.map((v) => v + shift), horizon: 4 }));
    const out = await forecastAll(model, inputs);
    expect(out.map((f) => f.point[0])).toEqual([90, 100, 110]);
    expect(calls.batches).toEqual([3]);
  });

  it('does not aggregate hourly data at the default config: one series step = one client "minute"', async () => {
    // M4-Hourly: the client's resolution knob assumes a 1-minute grid; the adapter passes each
    // hour as one step at resolution 1, so the model sees the raw last value (r = 60 would feed
    // the mean of the last 60 hours and give 170.5 + 1 here, not 200 + 1).
    const ramp = Float32Array.from({ length: 200 }, (_, i) => i + 1);
    const f = await tsfmForecaster(await makeClient({ batches: [] })).forecast({
      history: ramp,
      horizon: 2,
      period: 24,
      stepMs: 3_600_000,
    });
    expect(Array.from(f.point)).toEqual([201, 202]);
  });

  it('handles NaN in the history (the client masks it)', async () => {
    const gappy = history.slice();
    gappy[5] = NaN;
    gappy[30] = NaN;
    const f = await tsfmForecaster(await makeClient({ batches: [] })).forecast({ history: gappy, horizon: 2 });
    expect(f.point.every(Number.isFinite)).toBe(true);
  });

  describe('with in-context calibration (tsfm-icc)', () => {
    const ramp = Float32Array.from({ length: 120 }, (_, i) => 50 + i);
    const levels = [0.1, 0.5, 0.9];

    it('backtests on the history in one batch, then narrows a fan its backtests never missed', async () => {
      // The known-answer model continues a ramp exactly: every backtest error is 0, so both sides
      // shrink to the lower bound 0.5 (±0.4 → ±0.2); the median does not move.
      const calls = { batches: [] as number[] };
      const model = tsfmForecaster(await makeClient(calls), { calibration: 'in-context', name: 'tsfm-icc' });
      const f = await model.forecast({ history: ramp, horizon: 3, levels });
      expect(model.name).toBe('tsfm-icc');
      expect(calls.batches).toEqual([6, 1]);
      expect(Array.from(f.point)).toEqual([170, 171, 172]);
      expect(Array.from(f.quantiles.subarray(0, 3)).map((v) => Number(v.toFixed(4)))).toEqual([169.8, 170, 170.2]);
    });

    it('widens the fan of a series noisier than the model believes, up to 4 times', async () => {
      const noisy = ramp.map((v, i) => v + (i % 2 === 0 ? 1 : -1));
      const raw = await tsfmForecaster(await makeClient({ batches: [] })).forecast({
        history: noisy,
        horizon: 3,
        levels,
      });
      const f = await tsfmForecaster(await makeClient({ batches: [] }), { calibration: 'in-context' }).forecast({
        history: noisy,
        horizon: 3,
        levels,
      });
      expect(Array.from(f.point)).toEqual(Array.from(raw.point));
      for (let t = 0; t < 3; t++) {
        const [lo, mid, hi] = [f.quantiles[3 * t], f.quantiles[3 * t + 1], f.quantiles[3 * t + 2]];
        expect(hi - mid).toBeGreaterThan(0.4 + 1e-3);
        expect(hi - mid).toBeLessThanOrEqual(1.6 + 1e-3);
        expect(mid - lo).toBeGreaterThan(0.4 + 1e-3);
      }
    });

    it('without room for a backtest (64 points before its origin) forecasts exactly as tsfm', async () => {
      const calls = { batches: [] as number[] };
      const f = await tsfmForecaster(await makeClient(calls), { calibration: 'in-context' }).forecast({
        history,
        horizon: 3,
        levels,
      });
      const raw = await tsfmForecaster(await makeClient({ batches: [] })).forecast({ history, horizon: 3, levels });
      expect(calls.batches).toEqual([1]);
      expect(Array.from(f.quantiles)).toEqual(Array.from(raw.quantiles));
    });
  });
});
