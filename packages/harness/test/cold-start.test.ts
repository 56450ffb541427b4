/** The cold-start path with and without an archetype prior, and the prior during search. */
import { describe, expect, it } from 'vitest';
import { CostModel, Harness, staticPrior, type ConfigPriorSource } from '../src/index.js';
import { FakeForecaster, naive } from './helpers/fake-forecaster.js';
import { syntheticTenant } from '../../../test-fixtures/tenants.js';

const FREE = (): CostModel => new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 });
const short = syntheticTenant(90, 4);
const long = syntheticTenant(3000, 4);

async function make(priorSource: ConfigPriorSource | null) {
  const fake = new FakeForecaster(naive);
  return { fake, harness: await Harness.create(fake, { priorSource, costModel: FREE(), budgetMode: 'measure' }) };
}

describe('cold start', () => {
  it('without a prior source: the fleet default', async () => {
    const { harness, fake } = await make(null);
    const r = await harness.forecast({ history: short, horizon: 60, alpha: 0.9 });
    expect(r.path).toBe('cold-start-default');
    expect(r.winner.cpu!.key).toBe('ctx512-r1-none-flip0-clamp1-fix1');
    expect(fake.batches.at(-1)!.every((row) => row.config === fake.batches.at(-1)![0]!.config)).toBe(true);
    expect(r.prior.configured).toBe(false);
  });

  it('with a prior: its highest-weight config that can serve the request', async () => {
    // 'not-a-config' has the highest weight but is not a config: ignored and counted.
    const prior = staticPrior(
      {
        'ctx128-r5-mean-std-flip1-clamp1-fix1': 0.5,
        'ctx64-r15-last-value-flip0-clamp1-fix0': 0.3,
        'not-a-config': 0.9,
      },
      'b2b-saas',
    );
    const { harness } = await make(prior);
    const r = await harness.forecast({ history: short, horizon: 60, alpha: 0.9 });
    expect(r.path).toBe('cold-start-prior');
    expect(r.winner.cpu!.key).toBe('ctx128-r5-mean-std-flip1-clamp1-fix1');
    expect(r.winner.cpu!.chosenBy).toBe('cold-start-prior');
    expect(r.prior).toEqual({
      configured: true,
      available: true,
      archetype: 'b2b-saas',
      keys: 3,
      unknownKeys: 1,
      error: null,
    });
  });

  it('skips prior configs that cannot serve the history, then falls back to the default', async () => {
    // 30 minutes of history: a 60-minute bucket cannot be formed.
    const tiny = syntheticTenant(30, 4);
    const { harness } = await make(staticPrior({ 'ctx64-r60-none-flip0-clamp1-fix1': 1 }));
    const r = await harness.forecast({ history: tiny, horizon: 30, alpha: 0.9 });
    expect(r.path).toBe('cold-start-default');
    expect(r.notes.join(' ')).toMatch(/prior has no config that can serve/);
  });

  it('a prior source that returns null means no prior', async () => {
    const { harness } = await make({ prior: () => null });
    const r = await harness.forecast({ history: short, horizon: 60, alpha: 0.9 });
    expect(r.path).toBe('cold-start-default');
    expect(r.prior.available).toBe(false);
  });

  it('a prior source that throws does not take forecasting down; the error is reported', async () => {
    const { harness } = await make({
      prior: () => {
        throw new Error('index file missing');
      },
    });
    const r = await harness.forecast({ history: short, horizon: 60, alpha: 0.9 });
    expect(r.path).toBe('cold-start-default');
    expect(r.prior.error).toBe('index file missing');
  });
});

describe('prior during search', () => {
  it('prior configs are tried right after the default, labelled as such', async () => {
    const keys = ['ctx64-r5-mean-std-flip0-clamp1-fix1', 'ctx256-r15-log1p-flip1-clamp0-fix0'];
    const { harness } = await make(staticPrior(Object.fromEntries(keys.map((k) => [k, 1]))));
    const r = await harness.forecast({ history: long, horizon: 60, alpha: 0.9, k: 10 });
    expect(r.path).toBe('search');
    expect(r.tried.slice(0, 2).map((t) => t.source)).toEqual(['default', 'default-variant']);
    expect(new Set(r.tried.slice(2, 4).map((t) => t.key))).toEqual(new Set(keys));
    expect(r.tried.slice(2, 4).every((t) => t.source === 'prior')).toBe(true);
  });
});
