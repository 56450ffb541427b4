/**
 * Horizons beyond every config's reach are rolled out (rollout.ts), checked on a real ONNX model
 * whose quantiles are known exactly (level k = last value + k, median = last + 6): round two
 * conditions on round one's median, so its levels are last + 6 + k. The model forecasts 16 steps
 * per call and the forecaster serves only resolution 1 — the shape of a 30-second CSV passed to
 * the harness with its own step as "the minute".
 */
import { configGrid, loadModel, type TsfmClient } from '@tsfm/tsfm-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Harness, MAX_ROLLOUT_ROUNDS, type HarnessForecaster } from '../src/index.js';
import { rolloutRounds } from '../src/rollout.js';
import { KNOWN_LEVELS, knownQuantileModel } from '../../../test-fixtures/models.js';
import { FREE } from './helpers/three-configs.js';
import { CLASSIC } from './helpers/classic.js';

const REACH = 16;
let client: TsfmClient;
beforeAll(async () => {
  client = await loadModel(knownQuantileModel(64, REACH));
});
afterAll(() => client.release());

/** The client at resolution 1 only (as @tsfm/baselines' tsfm-harness serves a 30-second grid). */
function resolutionOne(c: TsfmClient): HarnessForecaster {
  return {
    levels: c.levels,
    contract: c.contract,
    supportsConfig: (config) => config.resolutionMinutes === 1 && c.supportsConfig(config),
    maxHorizonMinutes: (config) => c.maxHorizonMinutes(config),
    forecastBatch: (rows) => c.forecastBatch(rows),
  };
}

const rawGrid = (): ReturnType<typeof configGrid> =>
  configGrid({ maxContextLength: 64, normalisations: ['none'], flip: [false] });
const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => 10 + (i % 50));
const median = KNOWN_LEVELS.indexOf(0.5);

describe('rollout beyond the model horizon', () => {
  it('rounds: ⌈h / reach⌉, at least one', () => {
    expect(rolloutRounds(16, 16)).toBe(1);
    expect(rolloutRounds(17, 16)).toBe(2);
    expect(rolloutRounds(40, 16)).toBe(3);
    expect(rolloutRounds(1, 16)).toBe(1);
  });

  it('a horizon of 2.5 model horizons searches, with one batched call per round and exact continuations', async () => {
    const forecaster = resolutionOne(client);
    const spy = vi.spyOn(client, 'forecastBatch');
    const harness = await Harness.create(forecaster, { grid: rawGrid(), costModel: FREE(), budgetMode: 'measure' });
    const h = 40;
    const values = ramp(500);
    const r = await harness.forecast({ history: { values }, horizon: h, alpha: 0.9, k: 8, options: CLASSIC });
    expect(r.path).toBe('search');
    expect(r.forecasterCalls).toBe(3);
    expect(spy).toHaveBeenCalledTimes(3);
    // Round 1 holds every row; later rounds only the rows that still need steps (all of them here).
    expect(spy.mock.calls[0]![0].length).toBe(r.requestRows);
    expect(spy.mock.calls[0]![0].every((row) => row.horizon === REACH)).toBe(true);
    expect(spy.mock.calls[2]![0].every((row) => row.horizon === h - 2 * REACH)).toBe(true);
    const q = r.quantiles.value!;
    expect(q.horizon).toBe(h);
    const last = values[values.length - 1]!;
    const L = KNOWN_LEVELS.length;
    // Round r (0-based) conditions on the median path of the one before: last + 6·r at level 0.5 − 6.
    for (let t = 0; t < h; t++) {
      const round = Math.floor(t / REACH);
      const row = Array.from(q.quantiles.subarray(t * L, (t + 1) * L));
      expect(row).toEqual(KNOWN_LEVELS.map((_, k) => last + 6 * round + k));
    }
    expect(r.forecast.value![h - 1]).toBe(last + 12 + 10);
    expect(q.quantiles[(h - 1) * L + median]).toBe(last + 12 + 6);
    spy.mockRestore();
  });

  it('cold start rolls out too', async () => {
    const harness = await Harness.create(resolutionOne(client), {
      grid: rawGrid(),
      costModel: FREE(),
      budgetMode: 'measure',
    });
    const values = ramp(30);
    const r = await harness.forecast({ history: { values }, horizon: 20, alpha: 0.5 });
    expect(r.path).toBe('cold-start-default');
    expect(r.forecasterCalls).toBe(2);
    const last = values[values.length - 1]!;
    expect(r.forecast.value![0]).toBe(last + 6);
    expect(r.forecast.value![19]).toBe(last + 12);
  });

  it('a horizon some config reaches natively is never rolled out', async () => {
    // With every resolution, r = 5 reaches 80 steps: h = 40 is one call.
    const harness = await Harness.create(client, { grid: rawGrid(), costModel: FREE(), budgetMode: 'measure' });
    const r = await harness.forecast({ history: { values: ramp(3000) }, horizon: 40, alpha: 0.9, k: 8 });
    expect(r.path).toBe('search');
    expect(r.forecasterCalls).toBe(1);
    expect(r.tried.every((t) => t.config === null || t.config.resolutionMinutes >= 5)).toBe(true);
  });

  it('beyond the rollout cap the request is refused, counted in steps', async () => {
    const harness = await Harness.create(resolutionOne(client), {
      grid: rawGrid(),
      costModel: FREE(),
      budgetMode: 'measure',
    });
    const h = REACH * MAX_ROLLOUT_ROUNDS + 1;
    await expect(harness.forecast({ history: { values: ramp(2000) }, horizon: h, alpha: 0.9 })).rejects.toThrow(
      new RegExp(`horizon ${h} steps is beyond this model: one call reaches ${REACH} steps`),
    );
  });
});
