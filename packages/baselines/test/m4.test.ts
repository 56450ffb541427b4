/**
 * Naive2 and seasonal naive reproduce the published M4-Hourly benchmark numbers exactly — the
 * check that our sMAPE/MASE definitions, the seasonality test and the decomposition are M4's.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadM4Hourly } from '../src/evaluate/dataset.js';
import { runModelHere } from '../src/evaluate/run.js';
import { scoreTask, summarise } from '../src/evaluate/score.js';
import { naive2Forecaster } from '../src/models/naive2.js';
import { seasonalNaiveForecaster } from '../src/models/naive.js';
import { DEFAULT_LEVELS, type Forecaster } from '../src/types.js';

const dataDir = resolve(import.meta.dirname, '../../../../shared/data');
const haveM4 = existsSync(resolve(dataDir, 'm4/Hourly-train.csv'));
if (!haveM4) console.warn(`m4.test: skipped, no M4 data under ${dataDir}/m4`);

describe.skipIf(!haveM4)('M4-Hourly published benchmarks (414 series, h = 48)', () => {
  const score = async (model: Forecaster): Promise<{ smape: number; mase: number }> => {
    const data = await loadM4Hourly(dataDir, 48);
    const run = await runModelHere(model, data.tasks, DEFAULT_LEVELS);
    return summarise(
      model.name,
      data.tasks.map((t, i) => scoreTask(t, run.forecasts[i])),
      run.seconds,
      0,
    );
  };

  it('Naive2: sMAPE 18.383, MASE 2.395', async () => {
    const s = await score(naive2Forecaster());
    expect(s.smape.toFixed(3)).toBe('18.383');
    expect(s.mase.toFixed(3)).toBe('2.395');
  });

  it('seasonal naive: MASE 1.193', async () => {
    const s = await score(seasonalNaiveForecaster());
    expect(s.mase.toFixed(3)).toBe('1.193');
  });
});
