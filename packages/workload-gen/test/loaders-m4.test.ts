import { HOUR_MS } from '@tsfm/numerics';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { M4_FREQUENCIES, joinM4TrainTest, loadM4TrainTest, loadM4Wide, parseM4Wide } from '../src/loaders/index.js';
import { missingDataReason, sharedDataPath } from './loaders-shared-data.js';

describe('M4 wide CSV', () => {
  const train = '"V1","V2","V3","V4","V5"\n"H1","1","2","3","4"\n"H2","5.5","6",,\n';
  const test = '"V1","V2","V3"\n"H2","7","8"\n"H1","5","6"\n';

  it('reads ragged rows as series of different lengths on a synthetic hourly grid', () => {
    const series = parseM4Wide(train, { source: 'data/Hourly-train.csv' });
    expect(series.map((s) => [s.id, s.start, s.stepMs, Array.from(s.values)])).toEqual([
      ['H1', 0, HOUR_MS, [1, 2, 3, 4]],
      ['H2', 0, HOUR_MS, [5.5, 6]],
    ]);
  });

  it('pairs train and test by id and continues the train grid into the test part', () => {
    const pairs = joinM4TrainTest(
      parseM4Wide(train, { frequency: 'Hourly' }),
      parseM4Wide(test, { frequency: 'Hourly' }),
    );
    const h2 = pairs.find((p) => p.id === 'H2')!;
    expect(Array.from(h2.test.values)).toEqual([7, 8]);
    expect(h2.test.start).toBe(2 * HOUR_MS);
  });

  it('takes the step from the frequency, or refuses to guess it', () => {
    expect(parseM4Wide(train, { frequency: 'Daily' })[0].stepMs).toBe(M4_FREQUENCIES.Daily.stepMs);
    expect(() => parseM4Wide(train, { source: 'mystery.csv' })).toThrow(
      expect.objectContaining({ kind: 'missing-step', field: 'frequency' }),
    );
  });

  it('loads unquoted cells, a BOM and CRLF', () => {
    const series = parseM4Wide('\uFEFFV1,V2,V3\r\nH1,1,2\r\n', { frequency: 'Hourly' });
    expect(Array.from(series[0].values)).toEqual([1, 2]);
  });
});

const m4Dir = sharedDataPath('m4');

describe.skipIf(m4Dir === undefined)(m4Dir === undefined ? missingDataReason('m4') : 'M4 Hourly files', () => {
  it('loads all 414 series with train lengths 700–960 and the 48-step horizon', async () => {
    const pairs = await loadM4TrainTest(join(m4Dir!, 'Hourly-train.csv'), join(m4Dir!, 'Hourly-test.csv'));
    expect(pairs).toHaveLength(414);
    const lengths = pairs.map((p) => p.train.values.length);
    expect([Math.min(...lengths), Math.max(...lengths)]).toEqual([700, 960]);
    expect(pairs.every((p) => p.test.values.length === 48)).toBe(true);
    expect(pairs[0].id).toBe('H1');
  });

  it('parses the 2.3 MB train file within 10× of a bare split-and-Number pass over it', async () => {
    // Measured against a baseline timed in the same moment, not against the clock: a busy machine
    // slows both alike (on an idle 2-core box both take ~100 ms, so 10× is the old 1 s bound).
    // The best of three interleaved runs each keeps a burst of load from deciding the result.
    const path = join(m4Dir!, 'Hourly-train.csv');
    const bare = async () => {
      let sum = 0;
      for (const line of (await readFile(path, 'utf8')).split('\n'))
        for (const cell of line.split(',')) sum += Number(cell.replaceAll('"', '')) || 0;
      return sum;
    };
    const loaderMs: number[] = [];
    const bareMs: number[] = [];
    for (let run = 0; run < 3; run++) {
      let started = performance.now();
      expect(await loadM4Wide(path)).toHaveLength(414);
      loaderMs.push(performance.now() - started);
      started = performance.now();
      await bare();
      bareMs.push(performance.now() - started);
    }
    expect(Math.min(...loaderMs)).toBeLessThan(10 * Math.min(...bareMs));
  });
});
