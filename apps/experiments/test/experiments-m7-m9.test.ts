import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { m6Markdown, runM6, type M6Result } from '../src/m6.js';
import { m7Markdown, runM7 } from '../src/m7.js';
import { m8Markdown, runM8 } from '../src/m8.js';
import { m9Markdown, runM9 } from '../src/m9.js';
import { splitTenants, type TenantSplit } from '../src/split.js';
import { fleetInfo } from '../src/tenant-data.js';
import { runTuning, type TuningResult } from '../src/tuning.js';
import { NO_BASELINES, TINY_PROTOCOL, tinyFleet, tinyModel, tinyRun } from './helpers/experiment-fixtures.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

describe('M7, M8 and M9 on a tiny fleet', () => {
  let fleetDir: string;
  let modelPath: string;
  let split: TenantSplit;
  let tuning: TuningResult;
  let m6: M6Result;
  const common = () => tinyRun(fleetDir, modelPath, split);

  beforeAll(async () => {
    fleetDir = await tinyFleet(10, 4, 9);
    modelPath = tinyModel();
    split = splitTenants((await fleetInfo(fleetDir)).ids, { tuningShare: 0.5, seed: 2 });
    tuning = await runTuning({
      fleetDir,
      modelPath,
      split,
      protocol: TINY_PROTOCOL,
      workers: 0,
      storeSetDir: join(tempDir('tsfm-exp-store-'), 'set'),
    });
    ({ result: m6 } = await runM6({ ...common(), tuning, workers: 0, baselines: NO_BASELINES, maxTenants: 3 }));
    // A last guard only (the tests wait for the runs, never for time): M6 and M9 run two harnesses.
  }, 600_000);

  it('M7 measures every K on the same points and names the largest K within the budget', async () => {
    const r = await runM7({ ...common(), ks: [1, 4, 16], tenants: 2, originsPerTenant: 2 });
    expect(r.rows.map((x) => x.k)).toEqual([1, 4, 16]);
    for (const x of r.rows) {
      expect(x.requests).toBe(4);
      expect(x.meanKUsed).toBeLessThanOrEqual(x.k);
      expect(x.p99).toBeGreaterThanOrEqual(x.p50);
    }
    expect(r.rows[0].vsK1).toBeNull();
    // Which K fits depends on the machine; that the answer is read off the measured p99s does not.
    const within = r.rows.filter((x) => x.p99 <= 200).map((x) => x.k);
    expect(r.largestKWithinBudget).toBe(within.length === 0 ? null : Math.max(...within));
    expect(m7Markdown(r)).toContain(`Largest K with p99 ≤ 200 ms: ${r.largestKWithinBudget ?? 'none'}`);
  });

  it('M8 runs cold histories with and without the prior, votes archetypes, drops nothing', async () => {
    const r = await runM8({
      ...common(),
      storeSetDir: tuning.storeSetDir!,
      workers: 0,
      lengths: [30, 120],
      tenants: 2,
      originsPerTenant: 2,
    });
    expect(r.dropped).toBe(0);
    expect(r.rows.map((x) => x.minutes)).toEqual([30, 120]);
    // 30 minutes is below the search minimum (h + 60): the cold-start path, prior or default.
    expect(r.rows[0].pathsDefault).toEqual({ 'cold-start-default': 1 });
    expect(r.rows[0].pathsPrior).toEqual({ 'cold-start-prior': 1 });
    expect(r.rows[1].pathsDefault).toEqual({ search: 1 });
    for (const x of r.rows) {
      expect(x.points).toBe(4);
      expect(x.retrievalQueries).toBe(4);
      expect(x.retrievalAccuracy).toBeGreaterThanOrEqual(0);
    }
    expect(m8Markdown(r)).toContain('Points dropped: 0');
  });

  it('M9 orders tiers on the same points and reports calibration per tier', async () => {
    const r = await runM9({ ...common(), m6, workers: 0, tenants: 2, originsPerTenant: 2 });
    expect(r.paired.rows.map((x) => x.tier)).toEqual(['premium', 'standard', 'basic']);
    expect(r.paired.points).toBe(4);
    expect(r.paired.dropped).toBe(0);
    for (const x of r.paired.rows) expect(x.observedCells).toBe(4 * 60 * 4);
    // A higher α can only raise the α-quantile of the same forecast; winners may differ per α.
    expect(r.paired.rows[0].levelRatio).toBeGreaterThanOrEqual(r.paired.rows[2].levelRatio);
    expect(Object.keys(r.fromM6)).toContain('harness');
    expect(m9Markdown(r)).toContain('premium');
    // View 3: the shipped harness (view 2's rows) next to the harness before v2 on the same points.
    const c = r.calibrated!;
    expect(c.method).toBe('conformal');
    expect(c.dropped).toBe(0);
    expect(c.rows.map((x) => x.tier)).toEqual(['premium', 'standard', 'basic']);
    c.rows.forEach((x, i) => {
      expect(x.calibrated).toEqual(r.paired.rows[i]);
      expect(x.none.observedCells).toBe(x.calibrated.observedCells);
      expect(x.points).toBe(4);
      expect(Number.isFinite(x.lossCalibrated) && Number.isFinite(x.lossNone)).toBe(true);
    });
    expect(m9Markdown(r)).toContain('the shipped harness (v2) against the harness before it (v1)');
    expect(m6Markdown(m6)).toContain('**Points dropped: 0**');
  });
});
