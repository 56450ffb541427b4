/**
 * The harness adapter over a real TsfmClient and a real Harness. The session is a small JS
 * function with a known answer (as in tsfm.test.ts): output[b, j, c] = last context value
 * + (j + 1) + (level_c − 0.5), so the test pins what the adapter adds — the config space cut to
 * the series' step, the level mapping, determinism — independently of trained weights.
 */
import { HOUR_MS } from '@tsfm/numerics';
import * as harnessModule from '@tsfm/harness';
import type { HarnessResult } from '@tsfm/harness';
import { configGrid, restrictResolutions, type TsfmClient } from '@tsfm/tsfm-client';
import { describe, expect, it } from 'vitest';
import { meaningfulResolutions, tsfmHarnessForecaster } from '../src/models/tsfm-harness.js';
import { DEFAULT_LEVELS } from '../src/types.js';
import { knownAnswerClient } from './helpers/known-answer-client.js';
import { gaussian, rowsNonDecreasing } from './helpers/series.js';

const CONTEXT = 64;
const HORIZON = 8;

function makeClient(): Promise<TsfmClient> {
  return knownAnswerClient({ context: CONTEXT, horizon: HORIZON });
}

/** An hourly daily cycle with noise, positive. */
function hourly(n: number): Float32Array {
  const noise = gaussian(7);
  return Float32Array.from({ length: n }, (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 24) + 2 * noise());
}

describe('meaningfulResolutions', () => {
  it('never aggregates below the series step: hourly and 5-minute data search r = 1 only', () => {
    expect(meaningfulResolutions(HOUR_MS, 48)).toEqual([1]);
    expect(meaningfulResolutions(300_000, 12)).toEqual([1]); // 15 and 60 min would be r = 3 and 12
    expect(meaningfulResolutions(undefined, 48)).toEqual([1]);
    expect(meaningfulResolutions(30_000, 48)).toEqual([1]); // 1 min = 2 steps: not a client resolution
  });

  it('keeps the client resolutions on 1-minute data, up to one bucket per horizon', () => {
    expect(meaningfulResolutions(60_000, 60)).toEqual([1, 5, 15, 60]);
    expect(meaningfulResolutions(60_000, 12)).toEqual([1, 5]);
  });

  it('restrictResolutions removes the other resolutions from what the model serves', async () => {
    const client = await makeClient();
    const restricted = restrictResolutions(client, [1]);
    const grid = configGrid({ maxContextLength: CONTEXT });
    expect(grid.some((c) => c.resolutionMinutes === 5 && client.supportsConfig(c))).toBe(true);
    expect(grid.filter((c) => restricted.supportsConfig(c)).every((c) => c.resolutionMinutes === 1)).toBe(true);
  });
});

describe('tsfmHarnessForecaster', () => {
  it("searches only r = 1 on hourly data, selects on held-out windows and returns the winner's quantiles", async () => {
    const results: HarnessResult[] = [];
    const model = tsfmHarnessForecaster(harnessModule, await makeClient(), {
      k: 8,
      onResult: (_, r) => results.push(r),
    });
    const history = hourly(400);
    const f = await model.forecast({ history, horizon: 6, period: 24, stepMs: HOUR_MS });
    expect(model.name).toBe('tsfm-harness');
    expect(f.point.length).toBe(6);
    expect(f.levels).toEqual(DEFAULT_LEVELS);
    expect(f.quantiles.length).toBe(6 * DEFAULT_LEVELS.length);
    expect(rowsNonDecreasing(f.quantiles, DEFAULT_LEVELS.length)).toBe(true);
    expect(results).toHaveLength(1);
    const r = results[0];
    expect(r.path).toBe('search');
    expect(r.alpha).toBe(0.5);
    expect(r.kUsed).toBe(8); // the unlimited budget never lowers K
    expect(r.tried.length).toBeGreaterThan(1);
    expect(r.tried.every((t) => t.config === null || t.config.resolutionMinutes === 1)).toBe(true);
    // The harness's default windows, counted in the series' own days (24 hourly steps): the tail
    // and the same hour 1 and 7 days back.
    expect(r.validationPlacement).toEqual({ placement: 'tail+same-time', sameTimeDays: [1, 7] });
    // The statistical members run at that daily period too: 400 hours leave more than a week
    // before the window a week back, so none is skipped (at 1440 "minutes" per day every seasonal one would be).
    expect(r.tried.filter((t) => t.source === 'statistical').map((t) => t.key)).toEqual([
      'stat-naive',
      'stat-snaive-daily',
      'stat-snaive-weekly',
      'stat-theta-daily',
    ]);
    expect(r.membersSkipped).toEqual([]);
    // The point is the winner's median (α = 0.5): the 0.5 column of the returned matrix.
    const mid = DEFAULT_LEVELS.indexOf(0.5);
    expect(Array.from(f.point)).toEqual(
      Array.from({ length: 6 }, (_, t) => f.quantiles[t * DEFAULT_LEVELS.length + mid]),
    );
  });

  it('is deterministic (fixed seed, no budget cut) and selects at the requested α', async () => {
    const alphas: number[] = [];
    const client = await makeClient();
    const a = tsfmHarnessForecaster(harnessModule, client, { k: 8 });
    const b = tsfmHarnessForecaster(harnessModule, client, {
      k: 8,
      alpha: 0.9,
      name: 'tsfm-harness-a90',
      onResult: (_, r) => alphas.push(r.alpha),
    });
    const input = { history: hourly(300), horizon: 6, stepMs: HOUR_MS };
    const f1 = await a.forecast(input);
    const f2 = await a.forecast(input);
    expect(Array.from(f1.quantiles)).toEqual(Array.from(f2.quantiles));
    await b.forecast(input);
    expect(b.name).toBe('tsfm-harness-a90');
    expect(alphas).toEqual([0.9]);
  });

  it("rolls a horizon beyond the model's reach out; beyond the rollout cap the window fails (the evaluator counts it)", async () => {
    const model = tsfmHarnessForecaster(harnessModule, await makeClient(), { k: 4 });
    const long = await model.forecast({ history: hourly(300), horizon: 2 * HORIZON + 3, stepMs: HOUR_MS });
    expect(long.point.length).toBe(2 * HORIZON + 3);
    expect(long.point.every(Number.isFinite)).toBe(true);
    const beyond = harnessModule.MAX_ROLLOUT_ROUNDS * HORIZON + 1;
    await expect(model.forecast({ history: hourly(300), horizon: beyond, stepMs: HOUR_MS })).rejects.toThrow(
      new RegExp(`horizon ${beyond} steps is beyond this model`),
    );
  });
});
