/** Failures leave as typed HarnessErrors; a NaN-emitting config is excluded, not crowned. */
import { describe, expect, it } from 'vitest';
import { CostModel, Harness, HarnessError } from '../src/index.js';
import { DEFAULT_CONFIG } from '@tsfm/tsfm-client';
import { familyOf, FakeForecaster, naive, type Predict } from './helpers/fake-forecaster.js';
import { syntheticTenant } from '../../../test-fixtures/tenants.js';

const FREE = (): CostModel => new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 });
const tenant = syntheticTenant(3000, 8);

describe('typed errors', () => {
  it('a forecaster that throws → model-failure, with the cause kept', async () => {
    const fake = new FakeForecaster(naive);
    const harness = await Harness.create(fake, { costModel: FREE(), budgetMode: 'measure' });
    fake.forecastBatch = () => Promise.reject(new Error('onnxruntime: out of memory'));
    const error = await harness.forecast({ history: tenant, horizon: 60, alpha: 0.9 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('model-failure');
    expect((error as HarnessError).message).toMatch(/out of memory/);
    expect((error as HarnessError).cause).toBeInstanceOf(Error);
  });

  it('a forecaster returning the wrong number of results → model-failure', async () => {
    const fake = new FakeForecaster(naive);
    const harness = await Harness.create(fake, { costModel: FREE(), budgetMode: 'measure' });
    const real = fake.forecastBatch.bind(fake);
    fake.forecastBatch = async (rows) => (await real(rows)).slice(1);
    await expect(harness.forecast({ history: tenant, horizon: 60, alpha: 0.9 })).rejects.toMatchObject({
      code: 'model-failure',
    });
  });

  it('a model that emits NaN everywhere → model-failure, not a NaN forecast (no statistical member to fall to)', async () => {
    const nan: Predict = (row, levels) => new Float32Array(row.horizon * levels.length).fill(Number.NaN);
    const harness = await Harness.create(new FakeForecaster(nan), { costModel: FREE(), budgetMode: 'measure' });
    await expect(
      harness.forecast({ history: tenant, horizon: 60, alpha: 0.9, options: { members: [] } }),
    ).rejects.toMatchObject({ code: 'model-failure' });
  });

  it('a model that emits NaN everywhere, with the statistical members on: a member forecasts, finite', async () => {
    const nan: Predict = (row, levels) => new Float32Array(row.horizon * levels.length).fill(Number.NaN);
    const harness = await Harness.create(new FakeForecaster(nan), { costModel: FREE(), budgetMode: 'measure' });
    const r = await harness.forecast({ history: tenant, horizon: 60, alpha: 0.9 });
    expect(r.winner.cpu.key).toMatch(/^stat-/);
    expect(r.winner.cpu.config).toBeNull();
    for (const m of r.metrics) expect(r.forecast[m].every(Number.isFinite)).toBe(true);
    expect(r.tried.filter((t) => t.source !== 'statistical').every((t) => t.score === null)).toBe(true);
  });

  it('a config whose forecasts are NaN is reported and cannot win', async () => {
    let bad = '';
    const predict: Predict = (row, levels) => {
      if (bad === '' && row.config.resolutionMinutes === 15) bad = familyOf(row.config);
      return familyOf(row.config) === bad
        ? new Float32Array(row.horizon * levels.length).fill(Number.NaN)
        : naive(row, levels);
    };
    const harness = await Harness.create(new FakeForecaster(predict), { costModel: FREE(), budgetMode: 'measure' });
    const r = await harness.forecast({ history: tenant, horizon: 60, alpha: 0.9, k: 32 });
    expect(bad).not.toBe('');
    const broken = r.tried.filter((t) => familyOf(t.config) === bad);
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.every((t) => t.score === null)).toBe(true);
    expect(r.skipped).toContainEqual(
      expect.objectContaining({ config: broken[0].key, reason: expect.stringMatching(/non-finite/) }),
    );
    expect(familyOf(r.winner.cpu.config)).not.toBe(bad);
  });

  it('a harness over a model that cannot serve the default config is refused at construction', async () => {
    const tiny = new FakeForecaster(naive, { contextLength: 32 });
    await expect(
      Harness.create(tiny, {
        costModel: FREE(),
        budgetMode: 'measure',
        defaultConfig: DEFAULT_CONFIG,
      }),
    ).rejects.toMatchObject({
      code: 'bad-request',
    });
  });
});
