import { describe, expect, it } from 'vitest';
import { CostModel, Harness, HarnessError, MAX_ROLLOUT_ROUNDS, parseRequest } from '../src/index.js';
import { FakeForecaster, naive } from './helpers/fake-forecaster.js';
import { syntheticTenant } from '../../../test-fixtures/tenants.js';

const tenant = syntheticTenant(300, 1);

function badRequest(input: unknown): HarnessError {
  try {
    parseRequest(input);
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('bad-request');
    return error as HarnessError;
  }
  throw new Error('expected a bad-request HarnessError');
}

describe('request validation (zod at the boundary)', () => {
  it('accepts a tenant with a tier and fills documented defaults', () => {
    const r = parseRequest({ history: tenant, horizon: 60, tier: 'premium' });
    expect(r.alpha).toBe(0.9);
    expect(r.k).toBe(32);
    expect(r.budgetMs).toBe(200);
    expect(r.options).toEqual({
      validationWindows: 8,
      validationPlacement: 'tail+same-time',
      sameTimeDays: [1, 7],
      minContextPoints: 60,
      selection: 'per-tenant',
      configsPerModelRow: 2,
      sampler: 'per-grid',
      calibration: 'conformal',
      combine: { top: 1, method: 'median' },
      racing: null,
      shiftGuard: true,
      members: ['naive', 'snaive-daily', 'snaive-weekly', 'theta-daily'],
      stepsPerDay: 1440,
    });
    expect(r.metricNames).toEqual(['cpu', 'mem', 'net', 'disk']);
  });

  it('accepts a single series as metric "value"', () => {
    const r = parseRequest({ history: { values: new Float32Array([1, 2, 3]) }, horizon: 5, alpha: 0.8 });
    expect(r.metricNames).toEqual(['value']);
    expect(r.n).toBe(3);
  });

  it('needs exactly one of alpha and tier', () => {
    expect(badRequest({ history: tenant, horizon: 60 }).message).toMatch(/exactly one of alpha or tier/);
    badRequest({ history: tenant, horizon: 60, alpha: 0.9, tier: 'basic' });
  });

  it('rejects α outside (0, 1), a non-integer horizon, an unknown tier, plain arrays', () => {
    badRequest({ history: tenant, horizon: 60, alpha: 1 });
    badRequest({ history: tenant, horizon: 1.5, alpha: 0.5 });
    badRequest({ history: tenant, horizon: 60, tier: 'gold' });
    expect(badRequest({ history: { id: 'x', metrics: { cpu: [1, 2, 3] } }, horizon: 1, alpha: 0.5 }).message).toMatch(
      /Float32Array/,
    );
  });

  it('rejects metrics on different grids, a non-minute step, unknown or duplicate metrics, an empty history', () => {
    badRequest({
      history: { id: 'x', metrics: { a: new Float32Array(10), b: new Float32Array(11) } },
      horizon: 1,
      alpha: 0.5,
    });
    expect(badRequest({ history: { ...tenant, stepMs: 300_000 }, horizon: 1, alpha: 0.5 }).message).toMatch(
      /1-minute grid/,
    );
    expect(badRequest({ history: tenant, horizon: 1, alpha: 0.5, metrics: ['gpu'] }).message).toMatch(
      /no metric 'gpu'/,
    );
    badRequest({ history: tenant, horizon: 1, alpha: 0.5, metrics: ['cpu', 'cpu'] });
    badRequest({ history: { values: new Float32Array(0) }, horizon: 1, alpha: 0.5 });
  });

  it('the harness rejects garbage with a HarnessError, never a plain Error', async () => {
    const harness = await Harness.create(new FakeForecaster(naive), {
      costModel: new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }),
      budgetMode: 'measure',
    });
    for (const input of [null, 42, {}, { history: tenant }]) {
      await expect(harness.forecast(input as never)).rejects.toMatchObject({
        name: 'HarnessError',
        code: 'bad-request',
      });
    }
  });

  it('a horizon beyond every config of the model, even rolled out, is a bad request', async () => {
    const harness = await Harness.create(new FakeForecaster(naive), {
      costModel: new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }),
      budgetMode: 'measure',
    });
    // The fake forecasts 64 steps: 64 · 60 = 3840 minutes per call at the coarsest resolution,
    // rolled out at most MAX_ROLLOUT_ROUNDS times.
    await expect(
      harness.forecast({ history: tenant, horizon: 3840 * MAX_ROLLOUT_ROUNDS + 1, alpha: 0.5 }),
    ).rejects.toMatchObject({ code: 'bad-request', details: { field: 'horizon' } });
  });
});
