/** The harness wired to the real @tsfm/archetypes store through archetypeStorePrior. */
import { ArchetypeStore, FeatureExtractor, type StoreEntry } from '@tsfm/archetypes';
import { describe, expect, it } from 'vitest';
import { archetypeStorePrior, CostModel, Harness } from '../src/index.js';
import { FakeForecaster, naive } from './helpers/fake-forecaster.js';
import { syntheticTenant } from '../../../test-fixtures/tenants.js';

const WINNER = 'ctx64-r5-mean-std-flip0-clamp1-fix1';

function store(): ArchetypeStore {
  const extractor = new FeatureExtractor();
  const entries: StoreEntry[] = Array.from({ length: 8 }, (_, i) => ({
    id: `t${i}`,
    archetype: i < 4 ? 'blog' : 'retail',
    features: extractor.extract(syntheticTenant(3 * 1440, 50 + i)),
  }));
  const s = ArchetypeStore.build(entries, { kind: 'flat-ip' });
  for (let i = 0; i < 8; i++) s.recordWinner(`t${i}`, WINNER);
  s.recordWinner('t0', 'ctx512-r1-none-flip0-clamp1-fix1');
  return s;
}

describe('archetypeStorePrior', () => {
  it("feeds the store's config prior and archetype vote into the harness", async () => {
    const source = await archetypeStorePrior(store(), { neighbours: 4 });
    const harness = await Harness.create(new FakeForecaster(naive), {
      priorSource: source,
      costModel: new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }),
      budgetMode: 'measure',
    });

    const cold = await harness.forecast({ history: syntheticTenant(90, 77), horizon: 60, alpha: 0.9 });
    expect(cold.path).toBe('cold-start-prior');
    expect(cold.winner.cpu!.key).toBe(WINNER);
    expect(cold.prior.available).toBe(true);
    expect(['blog', 'retail']).toContain(cold.prior.archetype);

    const search = await harness.forecast({ history: syntheticTenant(3 * 1440, 77), horizon: 60, alpha: 0.9, k: 8 });
    expect(search.path).toBe('search');
    expect(search.tried.filter((t) => t.source === 'prior').map((t) => t.key)).toContain(WINNER);
  });

  it('a store without recorded winners gives no prior (stratified sampling, default cold start)', async () => {
    const extractor = new FeatureExtractor();
    const empty = ArchetypeStore.build(
      [0, 1, 2].map((i) => ({ id: `e${i}`, archetype: 'idle', features: extractor.extract(syntheticTenant(1440, i)) })),
      { kind: 'flat-ip' },
    );
    const source = await archetypeStorePrior(empty);
    const harness = await Harness.create(new FakeForecaster(naive), {
      priorSource: source,
      costModel: new CostModel({ fixedMs: 0, perRowMs: 0, overheadMs: 0 }),
      budgetMode: 'measure',
    });
    const r = await harness.forecast({ history: syntheticTenant(90, 1), horizon: 60, alpha: 0.9 });
    expect(r.path).toBe('cold-start-default');
    expect(r.prior).toMatchObject({ configured: true, available: false, archetype: 'idle' });
  });
});
