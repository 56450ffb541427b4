/**
 * Sizing the search split from a run's own per-request losses (split-sizing.ts): the subsets it
 * scores, that its intervals are the runner's own (bootstrap.ts), that they shrink with the split,
 * and the projection to a target half-width. Synthetic, seeded requests.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@tsfm/numerics';
import {
  differenceInterval,
  metricInterval,
  relativeHalfWidth,
  unitsMetric,
} from '../src/workflow/research/bootstrap.js';
import {
  defaultSizes,
  largestSize,
  readScoredRuns,
  requestsFor,
  sizingReport,
  sizingTable,
  subsetUnits,
  type RequestLosses,
  type ScoredRequests,
} from '../src/workflow/research/split-sizing.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

/** `tenants` × `origins` requests (latest origin first, as the evaluator runs them), 4 losses each. */
function requestsOf(seed: number, tenants: number, origins: number, shift = 0, noise = 0.05): RequestLosses[] {
  const random = mulberry32(seed);
  const tenantLevel = Array.from({ length: tenants }, (_, t) => 0.2 + (t % 7) * 0.05);
  const out: RequestLosses[] = [];
  for (let t = 0; t < tenants; t++)
    for (let o = 0; o < origins; o++)
      out.push({
        tenantId: `t${String(t).padStart(3, '0')}`,
        origin: 1000 - o * 360,
        losses: Array.from({ length: 4 }, () => tenantLevel[t] + shift + noise * (random() - 0.5)),
      });
  return out;
}

describe('subsetUnits', () => {
  it('sums the first T tenants at their first O origins, in the order they were evaluated', () => {
    const requests: RequestLosses[] = [
      { tenantId: 'b', origin: 20, losses: [1, 2] },
      { tenantId: 'b', origin: 10, losses: [3] },
      { tenantId: 'a', origin: 20, losses: [10] },
      { tenantId: 'a', origin: 10, losses: [20, 30] },
      { tenantId: 'c', origin: 20, losses: [100] },
    ];
    expect(subsetUnits(requests, { tenants: 2, origins: 1 })).toEqual([
      { id: 'b', lossSum: 3, lossCount: 2 },
      { id: 'a', lossSum: 10, lossCount: 1 },
    ]);
    expect(subsetUnits(requests, { tenants: 2, origins: 2 })).toEqual([
      { id: 'b', lossSum: 6, lossCount: 3 },
      { id: 'a', lossSum: 60, lossCount: 3 },
    ]);
    // c has one origin, and there is no fourth tenant: such a split would be mislabelled.
    expect(subsetUnits(requests, { tenants: 3, origins: 2 })).toBeUndefined();
    expect(subsetUnits(requests, { tenants: 4, origins: 1 })).toBeUndefined();
  });
});

describe('sizes', () => {
  it('largestSize is the split every run can fill; defaultSizes halves the tenants down to 4', () => {
    const runs: ScoredRequests[] = [
      { id: 'x', requests: requestsOf(1, 48, 4) },
      { id: 'y', requests: requestsOf(2, 40, 2) },
    ];
    expect(largestSize(runs)).toEqual({ tenants: 40, origins: 2 });
    expect(defaultSizes({ tenants: 48, origins: 2 })).toEqual([
      { tenants: 6, origins: 1 },
      { tenants: 6, origins: 2 },
      { tenants: 12, origins: 1 },
      { tenants: 12, origins: 2 },
      { tenants: 24, origins: 1 },
      { tenants: 24, origins: 2 },
      { tenants: 48, origins: 1 },
      { tenants: 48, origins: 2 },
    ]);
  });
});

describe('sizingTable', () => {
  const reference: ScoredRequests = { id: 'ref', requests: requestsOf(11, 64, 4) };
  const candidates: ScoredRequests[] = [
    { id: 'c1', requests: requestsOf(12, 64, 4, -0.01) },
    { id: 'c2', requests: requestsOf(13, 64, 4, 0.02) },
    { id: 'c3', requests: requestsOf(14, 64, 4, 0) },
  ];
  const rows = sizingTable(reference, candidates, defaultSizes(largestSize([reference, ...candidates])));

  it('uses the runner’s own intervals: the keep rule’s paired one and the printed metric one', () => {
    const size = { tenants: 16, origins: 2 };
    const row = rows.find((r) => r.tenants === size.tenants && r.origins === size.origins);
    const ref = subsetUnits(reference.requests, size)!;
    const paired = candidates.map((c) => {
      const d = differenceInterval(subsetUnits(c.requests, size)!, ref);
      return (d.hi - d.lo) / 2 / unitsMetric(ref);
    });
    const metric = [reference, ...candidates].map((run) => {
      const units = subsetUnits(run.requests, size)!;
      return relativeHalfWidth(metricInterval(units), unitsMetric(units));
    });
    expect(row).toBeDefined();
    expect(row!.requests).toBe(32);
    expect(row!.paired.count).toBe(3);
    expect(row!.paired.median).toBe([...paired].sort((a, b) => a - b)[1]);
    expect(row!.paired.min).toBe(Math.min(...paired));
    expect(row!.paired.max).toBe(Math.max(...paired));
    expect(row!.metricHalfWidth).toBeCloseTo(
      [...metric].sort((a, b) => a - b)[1] / 2 + [...metric].sort((a, b) => a - b)[2] / 2,
      12,
    );
  });

  it('the paired interval is far narrower than the metric’s, and both shrink with more tenants', () => {
    const at = (tenants: number, origins: number) => rows.find((r) => r.tenants === tenants && r.origins === origins)!;
    const small = at(8, 4);
    const large = at(64, 4);
    expect(large.paired.median).toBeLessThan(large.metricHalfWidth / 5);
    // 8× the tenants: about 1/√8 of the half-width; allow bootstrap noise.
    expect(large.paired.median / small.paired.median).toBeGreaterThan(0.2);
    expect(large.paired.median / small.paired.median).toBeLessThan(0.6);
    expect(large.metricHalfWidth).toBeLessThan(small.metricHalfWidth);
  });

  it('leaves out sizes some run cannot fill', () => {
    const short: ScoredRequests = { id: 'short', requests: requestsOf(15, 8, 1) };
    const table = sizingTable(
      reference,
      [short],
      [
        { tenants: 8, origins: 1 },
        { tenants: 16, origins: 1 },
        { tenants: 8, origins: 2 },
      ],
    );
    expect(table.map((r) => `${r.tenants}×${r.origins}`)).toEqual(['8×1']);
  });
});

describe('requestsFor', () => {
  it('scales as 1/√n: half the half-width takes four times the requests', () => {
    expect(requestsFor(0.01, 100, 0.005)).toBe(400);
    expect(requestsFor(0.026, 192, 0.005)).toBe(5192);
    expect(requestsFor(0.004, 192, 0.005)).toBe(123);
    expect(() => requestsFor(0.01, 100, 0)).toThrow(/target/);
  });
});

describe('reading a workdir', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('reads search-mode runs of the asked split, with their seconds, and reports on them', async () => {
    const workdir = tempDir('split-sizing-');
    dirs.push(workdir);
    const write = (id: string, mode: string, requests: RequestLosses[], extra: object, confirmation = false) => {
      const dir = join(workdir, 'runs', id, ...(confirmation ? ['confirmation'] : []));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ mode, requests, ...extra }));
    };
    write('seed-harness-default', 'search', requestsOf(21, 16, 2), { elapsedS: 3.2, cpuS: 6.4 });
    write('e001', 'search', requestsOf(22, 16, 2, -0.01), { elapsedS: 4.8, cpuS: 9.6 });
    write('seed-oracle', 'oracle', requestsOf(23, 16, 2), {});
    write('seed-harness-default', 'search', requestsOf(24, 32, 2), {}, true);
    mkdirSync(join(workdir, 'runs', 'e002-crashed'));

    const runs = await readScoredRuns(workdir, 'search');
    expect(runs.map((run) => run.id)).toEqual(['e001', 'seed-harness-default']);
    expect(runs.map((run) => run.cpuS)).toEqual([9.6, 6.4]);
    expect((await readScoredRuns(workdir, 'confirmation')).map((run) => run.requests.length)).toEqual([64]);

    const text = sizingReport(runs[1], [runs[0]], 0.005);
    expect(text).toContain('at most 16 tenants × 2 origins');
    // CPU per request: the median of 6.4/32 and 9.6/32.
    expect(text).toContain('CPU 0.2500');
    expect(text).toMatch(/^\| 16 × 2 \| 32 \| ±[\d.]+% \| ±[\d.]+% \(±[\d.]+% – ±[\d.]+%\) \| \d+ \|$/m);
    expect(text).toMatch(
      /At 16 × 2: metric ±[\d.]+%, paired ±[\d.]+% \(median of 1\)\. ±0\.50% projects to \d+ requests/,
    );

    write('e003', 'search', [{ tenantId: 'x', origin: 1, losses: [Number.NaN] }], {});
    await expect(readScoredRuns(workdir, 'search')).rejects.toThrow(/e003.*metrics\.json/);
  });
});
