import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeries, seriesMarkdown } from '../src/series.js';
import { TEST_MODEL, TEST_RUN, tinyModel } from './helpers/experiment-fixtures.js';

// ../shared/data relative to the repository root (see /work/shared/data/README.md).
const NAB = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'nab');
const files = existsSync(NAB)
  ? readdirSync(NAB)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .map((f) => join(NAB, f))
  : [];

describe.skipIf(files.length < 2)('the NAB path (needs ../shared/data/nab)', () => {
  it('forecasts a 5-minute file in native steps, tunes the fixed config on the other file, drops nothing', async () => {
    const r = await runSeries({
      dataset: 'nab',
      files: [files[0]],
      tuningFiles: files.slice(0, 2),
      modelPath: tinyModel(),
      model: TEST_MODEL,
      workers: 0,
      originsPerFile: 3,
      baselines: { light: ['naive'], heavy: [], heavyOrigins: 0, lookbackDays: 2 },
      seed: 1,
      run: TEST_RUN,
    });
    expect(r.files[0].stepMinutes).toBe(5);
    expect(r.files[0].horizonSteps).toBe(12);
    // 5-minute steps, h = 12: only buckets of 1 and 5 native steps fit inside the horizon.
    expect(r.resolutions).toEqual([1, 5]);
    expect(r.files[0].fixedConfig).toMatch(/^ctx\d+-r[15]-/);
    expect(r.methods.map((m) => m.name)).toEqual(['harness', 'fixed-best-loo', 'default', 'naive']);
    for (const m of r.methods) {
      expect(m.scheduled).toBe(3);
      expect(m.dropped).toBe(0);
    }
    expect(r.headline.every((c) => c.summary !== null && c.summary.points === 3)).toBe(true);
    expect(seriesMarkdown(r)).toContain('**Points dropped: 0.**');
  });
});
