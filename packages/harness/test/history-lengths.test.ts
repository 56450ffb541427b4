/**
 * Integration with the real ONNX client (a random-weight model with the default model's
 * architecture and contract): every history length from 1 point to 30 days returns a forecast,
 * on the documented path, with exactly the forecaster calls it says.
 */
import { loadModel, type TsfmClient } from '@tsfm/tsfm-client';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Harness, searchMinimumHistory, type HarnessResult } from '../src/index.js';
import { pretrainShapedModel } from '../../../test-fixtures/models.js';
import { METRICS, syntheticTenant } from '../../../test-fixtures/tenants.js';

let client: TsfmClient;
let harness: Harness;
let spy: MockInstance<TsfmClient['forecastBatch']>;

beforeAll(async () => {
  client = await loadModel(pretrainShapedModel());
  // 'measure': these tests are about history lengths, so K must not depend on how busy the machine is.
  harness = await Harness.create(client, { budgetMode: 'measure' });
  spy = vi.spyOn(client, 'forecastBatch');
});
afterAll(() => client.release());

function expectUsableForecast(r: HarnessResult, h: number): void {
  expect(r.metrics).toEqual([...METRICS]);
  for (const m of METRICS) {
    const f = r.forecast[m];
    expect(f.length).toBe(h);
    expect(f.every(Number.isFinite)).toBe(true);
    expect(r.quantiles[m].quantiles.length).toBe(h * client.levels.length);
    expect(r.quantiles[m].levels).toEqual(client.levels);
    // The α path is read off the returned quantiles, shifted by the calibration (these tenants are
    // never negative, so the shifted path is floored at 0).
    const shift = r.calibration.metrics[m]?.shift ?? 0;
    const expected = Array.from(r.quantiles[m].quantileAt(r.alpha), (q) => Math.max(0, Math.fround(q + shift)));
    expect(Array.from(f)).toEqual(expected);
    expect(r.peak[m].value).toBeGreaterThanOrEqual(0);
  }
}

async function run(n: number, h = 60): Promise<HarnessResult> {
  spy.mockClear();
  const r = await harness.forecast({ history: syntheticTenant(n, n), horizon: h, tier: 'standard', k: 32, seed: 1 });
  expect(spy).toHaveBeenCalledTimes(r.forecasterCalls);
  return r;
}

describe('history lengths (h = 60, 4 metrics, K = 32)', () => {
  it('the search minimum is h + minContextPoints = 120 by default (one validation window)', () => {
    expect(searchMinimumHistory(60, 60)).toBe(120);
  });

  it('1 point: a flat forecast at that point, no model call, and it says so', async () => {
    const r = await run(1);
    expect(r.path).toBe('cold-start-flat');
    expect(r.coldStartReason).toBe('single-point-history');
    expect(r.forecasterCalls).toBe(0);
    expectUsableForecast(r, 60);
    const t = syntheticTenant(1, 1);
    for (const m of METRICS) expect(new Set(r.quantiles[m].quantiles)).toEqual(new Set([t.metrics[m][0]]));
    expect(r.notes.join(' ')).toMatch(/single observation/);
  });

  it.each([10, 59, 60, 61, 119])('%i points: cold start with the default config, one model call', async (n) => {
    const r = await run(n);
    expect(r.path).toBe('cold-start-default');
    expect(r.coldStartReason).toBe('history-shorter-than-search-minimum');
    expect(r.forecasterCalls).toBe(1);
    expect(r.winner.cpu.key).toBe(r.defaultKey);
    expect(r.winner.cpu.chosenBy).toBe('cold-start-default');
    expect(r.modelRows).toBe(4);
    expectUsableForecast(r, 60);
  });

  it.each([120, 512, 10_000, 43_200])('%i points: search, one model call holding every row', async (n) => {
    const r = await run(n);
    expect(r.path).toBe('search');
    expect(r.forecasterCalls).toBe(1);
    expect(spy.mock.calls[0][0].length).toBe(r.requestRows);
    expect(r.kUsed).toBeGreaterThan(1);
    expect(r.tried[0].key).toBe(r.defaultKey);
    expect(r.tried.every((t) => t.score === null || Number.isFinite(t.score))).toBe(true);
    expect(r.tried.filter((t) => t.source !== 'statistical' && t.score !== null).length).toBe(r.kUsed);
    // The default placement: up to 8 tail windows, plus the same time of day 1 and 7 days back
    // where the history leaves minContextPoints (60) before that origin.
    const tail = Math.min(8, Math.floor((n - 60) / 60));
    const days = [1, 7].filter((d) => n - d * 1440 >= 60);
    expect(r.validationPlacement).toEqual(
      days.length === 0 ? { placement: 'tail', sameTimeDays: [] } : { placement: 'tail+same-time', sameTimeDays: days },
    );
    expect(r.validationWindows).toBe(tail + days.length);
    const earliest = Math.min(n - 60 * tail, ...days.map((d) => n - d * 1440));
    // The statistical members: each tried or skipped with its reason (a weekly period needs 7 days
    // before the earliest validation origin).
    expect(r.tried.filter((t) => t.source === 'statistical').length + r.membersSkipped.length).toBe(4);
    expect(r.membersSkipped.some((s) => s.key === 'stat-snaive-weekly')).toBe(earliest < 7 * 1440 + 30);
    expectUsableForecast(r, 60);
    for (const m of METRICS) expect(r.scales[m].value).toBeGreaterThan(0);
    const inSample = earliest;
    expect(r.scales.cpu.m).toBe(inSample >= 2880 ? 1440 : inSample >= 120 ? 60 : 1);
    const t = r.timings;
    expect(t.total).toBeGreaterThanOrEqual(
      t.validateInput + t.sample + t.buildRows + t.model + t.members + t.score + t.select - 1e-6,
    );
  });

  it('a horizon beyond the model at 1-minute resolution moves the default to a coarser one, and says so', async () => {
    const r = await run(10_000, 240);
    expect(r.path).toBe('search');
    expect(r.defaultKey).toBe('ctx512-r5-none-flip0-clamp1-fix1');
    expect(r.notes.join(' ')).toMatch(/cannot serve this request/);
    expect(r.tried.every((t) => t.config === null || t.config.resolutionMinutes >= 5)).toBe(true);
    expectUsableForecast(r, 240);
  });

  it('reports the cost model: predicted and actual model time', async () => {
    const r = await run(10_000);
    expect(r.budget.predictedModelMs).toBeGreaterThan(0);
    expect(r.budget.actualModelMs).toBeGreaterThan(0);
    expect(r.budget.actualTotalMs).toBe(r.timings.total);
  });
});
