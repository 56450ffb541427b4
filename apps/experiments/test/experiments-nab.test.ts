import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSeries, seriesMarkdown, type SeriesOptions } from '../src/series.js';
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
  /** The first file forecast with the tiny model, the fixed config tuned on the first two; `over` adds the rest. */
  const firstFile = (over: Pick<SeriesOptions, 'originsPerFile' | 'baselines' | 'tiers'>) =>
    runSeries({
      dataset: 'nab',
      files: [files[0]],
      tuningFiles: files.slice(0, 2),
      modelPath: tinyModel(),
      model: TEST_MODEL,
      workers: 0,
      seed: 1,
      run: TEST_RUN,
      ...over,
    });

  it('forecasts a 5-minute file in native steps, tunes the fixed config on the other file, drops nothing', async () => {
    const r = await firstFile({
      originsPerFile: 3,
      baselines: { light: ['naive'], heavy: [], heavyOrigins: 0, lookbackDays: 2 },
    });
    expect(r.files[0].stepMinutes).toBe(5);
    expect(r.files[0].horizonSteps).toBe(12);
    // 5-minute steps, h = 12: only buckets of 1 and 5 native steps fit inside the horizon.
    expect(r.resolutions).toEqual([1, 5]);
    expect(r.files[0].fixedConfig).toMatch(/^ctx\d+-r[15]-/);
    expect(r.methods.map((m) => m.name)).toEqual([
      'harness',
      'fixed-best-loo',
      'default',
      'naive',
      'harness@premium',
      'harness@standard',
      'harness@basic',
      'harness-v1@premium',
      'harness-v1@standard',
      'harness-v1@basic',
    ]);
    // The tier view stays out of the headline (its losses are at other levels than α).
    expect(r.headline.map((c) => c.other)).toEqual(['fixed-best-loo', 'default', 'naive']);
    const tiers = r.tiers;
    if (tiers === undefined) throw new Error('the tier view is on by default');
    expect(tiers.paired.rows.map((t) => [t.tier, t.alpha, t.target])).toEqual([
      ['premium', 0.9, expect.closeTo(0.1, 12)],
      ['standard', 0.75, 0.25],
      ['basic', 0.65, expect.closeTo(0.35, 12)],
    ]);
    // 3 origins × 12 five-minute steps, every one observed.
    for (const row of tiers.paired.rows) expect(row.observedCells).toBe(36);
    expect(tiers.paired.points).toBe(3);
    expect(tiers.calibrated.rows.map((x) => x.points)).toEqual([3, 3, 3]);
    for (const m of r.methods) {
      expect(m.scheduled).toBe(3);
      expect(m.dropped).toBe(0);
    }
    expect(r.headline.every((c) => c.summary !== null && c.summary.points === 3)).toBe(true);
    const md = seriesMarkdown(r);
    expect(md).toContain('**Points dropped: 0.**');
    expect(md).toContain("### SLA tiers on these files (M9's paired view)");
    expect(md).toMatch(/\| premium \| 0\.9 \| 36 \|/);
    // Ties counted apart, in the pooled table and per file: never fewer cells than the strict count.
    expect(md).toContain('actual ≥ q_α (ties counted)');
    expect(md).toContain('premium: actual > q_α / ≥ q_α (target 10%)');
    const fileTiers = r.files[0].tiers ?? [];
    expect(fileTiers.map((t) => t.tier)).toEqual(['premium', 'standard', 'basic']);
    for (const t of fileTiers) expect(t.atOrAboveRate).toBeGreaterThanOrEqual(t.underRate);
  });

  it('skips the tier view when asked', async () => {
    const r = await firstFile({
      originsPerFile: 2,
      baselines: { light: [], heavy: [], heavyOrigins: 0, lookbackDays: 2 },
      tiers: false,
    });
    expect(r.tiers).toBeUndefined();
    expect(r.methods.map((m) => m.name)).toEqual(['harness', 'fixed-best-loo', 'default']);
    expect(seriesMarkdown(r)).not.toContain('SLA tiers');
  });
});
