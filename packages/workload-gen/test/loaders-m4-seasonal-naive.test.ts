// Proof that the project's metric code and the M4 loader agree with the competition: seasonal
// naive (m = 24) on all 414 M4-Hourly series must reproduce the published sNaive benchmark,
// sMAPE 13.912 and MASE 1.193 (Makridakis et al. 2020, M4 results table).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mase, smape } from '@tsfm/losses';
import { M4_FREQUENCIES, loadM4TrainTest } from '../src/loaders/index.js';
import { missingDataReason, sharedDataPath } from './loaders-shared-data.js';

const m4Dir = sharedDataPath('m4');
const { seasonality: m, horizon: h } = M4_FREQUENCIES.Hourly;

/** Repeats the last season of the history over the horizon. */
function seasonalNaive(history: Float32Array, season: number, horizon: number): Float64Array {
  const lastSeason = history.subarray(history.length - season);
  return Float64Array.from({ length: horizon }, (_, i) => lastSeason[i % season]);
}

describe.skipIf(m4Dir === undefined)(m4Dir === undefined ? missingDataReason('m4') : 'M4-Hourly seasonal naive', () => {
  it('reproduces the published sNaive sMAPE 13.912 and MASE 1.193', async () => {
    const pairs = await loadM4TrainTest(join(m4Dir!, 'Hourly-train.csv'), join(m4Dir!, 'Hourly-test.csv'));
    expect(pairs).toHaveLength(414);
    let smapeSum = 0;
    let maseSum = 0;
    for (const { train, test } of pairs) {
      expect(test.values.length).toBe(h);
      const forecast = seasonalNaive(train.values, m, h);
      smapeSum += smape(test.values, forecast);
      maseSum += mase(train.values, test.values, forecast, m);
    }
    const meanSmape = smapeSum / pairs.length;
    const meanMase = maseSum / pairs.length;
    console.info(
      `M4-Hourly sNaive over ${pairs.length} series: sMAPE ${meanSmape.toFixed(4)}, MASE ${meanMase.toFixed(4)}`,
    );
    expect(meanSmape.toFixed(3)).toBe('13.912');
    expect(meanMase.toFixed(3)).toBe('1.193');
  });
});
