/**
 * NaN runs and constant series against the real ONNX client: a forecast or a typed error,
 * never a silent drop, never an Inf/NaN loss.
 */
import { loadModel, parseConfig, DEFAULT_CONFIG, type TsfmClient } from '@tsfm/tsfm-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, HarnessError, type HarnessRequest, type HarnessResult } from '../src/index.js';
import { pretrainShapedModel } from '../../../test-fixtures/models.js';
import { constantTenant, METRICS, syntheticTenant, withNaN, type TestTenant } from '../../../test-fixtures/tenants.js';
import { classic } from './helpers/classic.js';

let client: TsfmClient;
let harness: Harness;
beforeAll(async () => {
  client = await loadModel(pretrainShapedModel());
  // 'measure': which configs are tried must not depend on how busy the machine is.
  harness = await Harness.create(client, { budgetMode: 'measure' });
});
afterAll(() => client.release());

const N = 10_000;
const base = syntheticTenant(N, 9);
const request = (history: TestTenant, over: Partial<HarnessRequest> = {}): HarnessRequest => ({
  history,
  horizon: 60,
  alpha: 0.75,
  k: 32,
  ...classic(over),
});

function expectFiniteForecast(r: HarnessResult): void {
  for (const m of r.metrics) {
    expect(r.forecast[m]!.every(Number.isFinite)).toBe(true);
    expect(r.quantiles[m]!.quantiles.every(Number.isFinite)).toBe(true);
  }
  for (const t of r.tried) {
    if (t.score !== null) expect(Number.isFinite(t.score)).toBe(true);
    for (const v of Object.values(t.perMetric)) if (v !== null) expect(Number.isFinite(v)).toBe(true);
  }
}

describe('NaN runs', () => {
  it('a NaN run inside the history (10 h, all metrics): search as usual', async () => {
    const r = await harness.forecast(request(withNaN(base, 4000, 4600)));
    expect(r.path).toBe('search');
    expect(r.skipped).toEqual([]);
    expectFiniteForecast(r);
  });

  it('leading NaN and scattered NaN points: search as usual', async () => {
    let t = withNaN(base, 0, 5000);
    for (let i = 5001; i < N; i += 7) t = withNaN(t, i, i + 1);
    const r = await harness.forecast(request(t));
    expect(r.path).toBe('search');
    expectFiniteForecast(r);
  });

  it("a NaN tail covering one metric's validation window: that window is skipped and reported, the rest is scored", async () => {
    const r = await harness.forecast(request(withNaN(base, N - 60, N, ['cpu'])));
    expect(r.path).toBe('search');
    expect(r.skipped).toContainEqual(expect.objectContaining({ metric: 'cpu', window: 1 }));
    expect(r.skipped).toContainEqual(
      expect.objectContaining({ metric: 'cpu', reason: expect.stringMatching(/does not contribute/) }),
    );
    for (const t of r.tried) {
      expect(t.perMetric.cpu).toBeNull();
      expect(t.perMetric.mem).not.toBeNull();
      expect(t.score).not.toBeNull();
    }
    // cpu still gets a forecast: from its last observation, with the tenant's winner.
    expectFiniteForecast(r);
    expect(r.forecast.cpu!.length).toBe(60);
  });

  it('per-metric mode: the metric without evidence takes the default and says why', async () => {
    const r = await harness.forecast(
      request(withNaN(base, N - 60, N, ['cpu']), { options: { selection: 'per-metric' } }),
    );
    expect(r.winner.cpu!.key).toBe(r.defaultKey);
    expect(r.winner.cpu!.chosenBy).toBe('fallback-default');
    expect(r.skipped).toContainEqual(
      expect.objectContaining({ metric: 'cpu', reason: expect.stringMatching(/default config is used/) }),
    );
    expectFiniteForecast(r);
  });

  it('a NaN tail covering every validation window: cold start (no evidence), said so', async () => {
    const r = await harness.forecast(request(withNaN(base, N - 60, N)));
    expect(r.path).toBe('cold-start-default');
    expect(r.coldStartReason).toBe('no-observed-value-in-any-validation-window');
    expect(r.skipped.filter((s) => s.window === 1).map((s) => s.metric)).toEqual([...METRICS]);
    expectFiniteForecast(r);
  });

  it('a NaN tail longer than the default context (600 min > 512): a coarser default reaches the data', async () => {
    const r = await harness.forecast(request(withNaN(base, N - 600, N)));
    expect(r.path).toBe('cold-start-default');
    expect(r.winner.cpu!.config?.resolutionMinutes).toBe(5);
    expect(r.notes.join(' ')).toMatch(/no observation inside its context window/);
    expectFiniteForecast(r);
  });

  it('validation rows whose context window is all NaN: that config is reported incomplete, not scored', async () => {
    // NaN on [N − 200, N − 60): a 64-minute context before the validation origin sees nothing,
    // while the final context (after N − 60) and longer contexts do.
    const short = parseConfig({ ...DEFAULT_CONFIG, contextLength: 64 });
    const h2 = await Harness.create(client, { grid: [short], budgetMode: 'measure' });
    const r = await h2.forecast(request(withNaN(base, N - 200, N - 60), { k: 8 }));
    expect(r.path).toBe('search');
    const tried = r.tried.find((t) => t.key === 'ctx64-r1-none-flip0-clamp1-fix1');
    expect(tried).toBeDefined();
    expect(tried!.score).toBeNull();
    expect(r.skipped).toContainEqual(
      expect.objectContaining({
        config: 'ctx64-r1-none-flip0-clamp1-fix1',
        reason: expect.stringMatching(/context window/),
      }),
    );
    expect(r.winner.cpu!.key).not.toBe('ctx64-r1-none-flip0-clamp1-fix1');
    expectFiniteForecast(r);
  });

  it('a metric with no observation at all is a typed error naming it', async () => {
    const t = withNaN(base, 0, N, ['disk']);
    const error = await harness.forecast(request(t)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('insufficient-data');
    expect((error as HarnessError).details.metric).toBe('disk');
    // …and leaving it out works.
    const r = await harness.forecast(request(t, { metrics: ['cpu', 'mem', 'net'] }));
    expect(r.metrics).toEqual(['cpu', 'mem', 'net']);
  });

  it('a single NaN point: a typed error, not a NaN forecast', async () => {
    await expect(
      harness.forecast({ history: { values: new Float32Array([Number.NaN]) }, horizon: 5, alpha: 0.5 }),
    ).rejects.toMatchObject({ code: 'insufficient-data' });
  });
});

describe('constant series', () => {
  it('constant metrics (zero included) give finite losses and forecasts', async () => {
    const t = constantTenant(N, { cpu: 0.5, mem: 1e9, net: 0, disk: 100 });
    const r = await harness.forecast(request(t));
    expect(r.path).toBe('search');
    expectFiniteForecast(r);
    expect(r.tried.every((x) => x.score !== null)).toBe(true);
    // Zero seasonal error: the scale falls back to mean |x| (or 1 for an all-zero series).
    expect(r.scales.cpu!.value).toBeCloseTo(0.5, 6);
    expect(r.scales.mem!.value).toBeCloseTo(1e9, -2);
    expect(r.scales.net!.value).toBe(1);
  });

  it('a short constant series on the cold-start path', async () => {
    const r = await harness.forecast(request(constantTenant(30, { cpu: 0.2, mem: 3, net: 0, disk: 7 })));
    expect(r.path).toBe('cold-start-default');
    expectFiniteForecast(r);
  });
});
