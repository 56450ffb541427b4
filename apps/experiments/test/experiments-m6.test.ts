import { beforeAll, describe, expect, it } from 'vitest';
import { m6Markdown, runM6, type M6Result } from '../src/m6.js';
import { splitTenants, type TenantSplit } from '../src/split.js';
import { fleetInfo } from '../src/tenant-data.js';
import { runTuning, type TuningResult } from '../src/tuning.js';
import { NO_BASELINES, TINY_PROTOCOL, tinyFleet, tinyModel, tinyRun } from './helpers/experiment-fixtures.js';

const BASELINES = { ...NO_BASELINES, light: ['naive' as const], lightOrigins: 2 };

describe('M6 end to end on a tiny fleet', () => {
  let fleetDir: string;
  let modelPath: string;
  let split: TenantSplit;
  let tuning: TuningResult;
  let result: M6Result;

  beforeAll(async () => {
    fleetDir = await tinyFleet();
    modelPath = tinyModel();
    split = splitTenants((await fleetInfo(fleetDir)).ids, { tuningShare: 0.4, seed: 1 });
    tuning = await runTuning({ fleetDir, modelPath, split, protocol: TINY_PROTOCOL, workers: 0, storeSetDir: null });
    ({ result } = await runM6({
      ...tinyRun(fleetDir, modelPath, split),
      tuning,
      workers: 0,
      baselines: BASELINES,
      maxTenants: 6,
    }));
    // A last guard only (the tests wait for the runs, never for time): M6 and M9 run two harnesses.
  }, 600_000);

  it('tunes on tuning tenants only and picks a config that served every tuning point', () => {
    expect(tuning.tenants).toBe(split.tuning.length);
    expect(tuning.tuningTenantIds.every((id) => split.tuning.includes(id))).toBe(true);
    expect(tuning.best.points).toBe(tuning.points);
    expect(tuning.points).toBe(split.tuning.length * TINY_PROTOCOL.tuningOrigins);
  });

  it('scores every scheduled point of every method: 0 dropped', () => {
    expect(result.split.evaluated).toBe(6);
    const byName = Object.fromEntries(result.methods.map((m) => [m.name, m]));
    expect(Object.keys(byName)).toEqual([
      'harness',
      'harness-v1',
      'fixed-best',
      'fixed-best-per-tier',
      'default',
      'naive',
    ]);
    expect(byName.harness.scheduled).toBe(6 * TINY_PROTOCOL.originsPerTenant);
    // v1 runs on (up to) 10 origins per tenant: all 3 here.
    expect(byName['harness-v1'].scheduled).toBe(6 * Math.min(10, TINY_PROTOCOL.originsPerTenant));
    expect(byName.naive.scheduled).toBe(6 * 2);
    for (const m of result.methods) {
      expect(m.dropped).toBe(0);
      expect(m.scored).toBe(m.scheduled);
    }
  });

  it('compares the harness with every other method on paired points, per tier and per archetype', () => {
    expect(result.headline.map((c) => c.other)).toEqual([
      'harness-v1',
      'fixed-best',
      'fixed-best-per-tier',
      'default',
      'naive',
    ]);
    for (const c of result.headline) {
      expect(c.summary).not.toBeNull();
      expect(c.summary!.winRate).toBeGreaterThanOrEqual(0);
      expect(c.summary!.winRate).toBeLessThanOrEqual(1);
    }
    expect(result.headline[1].summary!.points).toBe(18);
    expect(result.headline[4].summary!.points).toBe(12);
    expect(result.byTier.reduce((s, g) => s + g.tenants, 0)).toBe(6);
    expect(result.byArchetype.reduce((s, g) => s + g.tenants, 0)).toBe(6);
    expect(result.latency.harness.requests).toBe(18);
  });

  it('prints the drop count and the random-weight warning', () => {
    const md = m6Markdown(result);
    expect(md).toContain('**Points dropped: 0**');
    expect(md).toContain('RANDOM-WEIGHT MODEL');
    expect(md).toMatch(/\| fixed-best \| 18 \|/);
  });

  it('refuses to evaluate a tenant that was used for tuning', async () => {
    const leaky = { ...tuning, tuningTenantIds: [...tuning.tuningTenantIds, split.evaluation[0]] };
    await expect(
      runM6({
        ...tinyRun(fleetDir, modelPath, split),
        tuning: leaky,
        workers: 0,
        baselines: BASELINES,
        maxTenants: 1,
      }),
    ).rejects.toThrow(/used for tuning/);
  });

  it('gives the same numbers on two worker threads as in-process', async () => {
    const { result: threaded } = await runM6({
      ...tinyRun(fleetDir, modelPath, split),
      tuning,
      workers: 2,
      baselines: BASELINES,
      maxTenants: 6,
    });
    // The harness's K could only differ if the budget cut it (it never does on this tiny model).
    expect(threaded.latency.harness.kLowered).toBe(0);
    expect(threaded.headline.map((c) => c.summary!.meanB)).toEqual(result.headline.map((c) => c.summary!.meanB));
    expect(threaded.headline[0].summary!.meanA).toBe(result.headline[0].summary!.meanA);
  });
});
