import { describe, expect, it } from 'vitest';
import { emptyTally, evaluationScale, mergeTally, scorePoint, tallyProvisioning } from '../src/point-score.js';
import { tierRows } from '../src/paired-tiers.js';
import { metricScale } from '@tsfm/harness';
// The harness's own test tenants: the scoring here must see the series the harness tests see.
import { syntheticTenant } from '../../../test-fixtures/tenants.js';

describe('the evaluation rule', () => {
  const t = syntheticTenant(5 * 1440, 3);
  const series = ['cpu', 'mem', 'net', 'disk'].map((m) => t.metrics[m]);
  const origin = 4 * 1440;
  const h = 60;
  const paths = series.map((v) => new Float32Array(h).fill(v[origin - 1]));

  it("uses the harness's own scale at the origin on a 1-minute grid", () => {
    for (const v of series)
      expect(evaluationScale(v, origin, { stepsPerDay: 1440 })).toBeCloseTo(metricScale(v, origin).value, 9);
  });

  it('is scale-free: multiplying a metric by 1e6 changes nothing', () => {
    const scales = Float64Array.from(series, (v) => evaluationScale(v, origin, { stepsPerDay: 1440 }));
    const base = scorePoint(series, origin, h, 0.9, paths, scales).loss;
    const big = series.map((v, m) => (m === 2 ? v.map((x) => x * 1e6) : v));
    const bigPaths = paths.map((p, m) => (m === 2 ? p.map((x) => x * 1e6) : p));
    const bigScales = Float64Array.from(big, (v) => evaluationScale(v, origin, { stepsPerDay: 1440 }));
    // Float32 storage of the ×1e6 values leaves ~1e-7 relative rounding, nothing more.
    expect(Math.abs(scorePoint(big, origin, h, 0.9, bigPaths, bigScales).loss / base - 1)).toBeLessThan(1e-6);
  });

  it('skips a metric with no observed actual and fails a NaN forecast', () => {
    const scales = Float64Array.from(series, () => 1);
    const gappy = series.map((v, m) => (m === 0 ? v.map((x, i) => (i >= origin ? Number.NaN : x)) : v));
    expect(scorePoint(gappy, origin, h, 0.9, paths, scales).metrics).toBe(3);
    const bad = paths.map((p, m) => (m === 1 ? p.map(() => Number.NaN) : p));
    expect(scorePoint(series, origin, h, 0.9, bad, scales).loss).toBeNaN();
  });
});

describe('the provisioning tally', () => {
  // A metric at 0 most of the time: its 0.65-quantile is 0, exceeded only by the few non-zero steps.
  const values = Float32Array.from({ length: 20 }, (_, i) => (i % 10 === 9 ? 5 : 0));
  const atZero = [new Float32Array(20)];

  it('counts ties apart: actual > q under-provisions, actual ≥ q includes the steps exactly at capacity', () => {
    const t = emptyTally();
    tallyProvisioning(t, [values], 0, 20, atZero, null, Float64Array.of(1));
    expect(t).toMatchObject({ observed: 20, under: 2, atOrAbove: 20 });
    // The strict rate (10 %) is far below 1 − α = 35 %, the tie-counted one (100 %) above it: a
    // calibrated 0.65-quantile of this series, which the strict rate alone would call over-covering.
    const [row] = tierRows({ basic: t });
    expect(row.underRate).toBeCloseTo(0.1, 12);
    expect(row.atOrAboveRate).toBe(1);
    expect(row.underRate).toBeLessThanOrEqual(row.target);
    expect(row.atOrAboveRate).toBeGreaterThanOrEqual(row.target);
  });

  it('an output written before the count existed gives no tie-counted rate, not a wrong one', () => {
    const old = { observed: 10, under: 3, ratioSum: 0, ratioCount: 0, upliftSum: 0, upliftCount: 0 };
    const merged = emptyTally();
    mergeTally(merged, old as unknown as ReturnType<typeof emptyTally>);
    expect(merged.under).toBe(3);
    expect(tierRows({ basic: merged })[0].atOrAboveRate).toBeNaN();
    expect(tierRows({ basic: old as unknown as ReturnType<typeof emptyTally> })[0].atOrAboveRate).toBeNaN();
  });
});
