import {
  ARCHETYPE_NAMES,
  fleetOptions,
  fleetTenantParams,
  generateFleet,
  type GeneratedTenant,
} from '@tsfm/workload-gen';
import { describe, expect, it } from 'vitest';
import {
  collectRetrievalFeatures,
  retrievalMarkdown,
  scoreRetrieval,
  type LabelledTenant,
} from '../src/evaluate-retrieval.js';

const PER_ARCHETYPE = 10;
const DAYS = 7;

/**
 * 8 archetypes × 10 tenants × 7 days from one fleet seed: parameters are drawn for a larger
 * fleet (cheap, no series), and only the first ten tenants of each archetype are generated.
 */
function balancedFleet(): LabelledTenant[] {
  const options = fleetOptions({ seed: 11, tenants: 400, days: DAYS });
  const taken = new Map<string, number>();
  const indices: number[] = [];
  for (const p of fleetTenantParams(options)) {
    const n = taken.get(p.archetype) ?? 0;
    if (n < PER_ARCHETYPE) {
      taken.set(p.archetype, n + 1);
      indices.push(p.index);
    }
  }
  expect([...taken.values()]).toEqual(ARCHETYPE_NAMES.map(() => PER_ARCHETYPE));
  return indices.map((i) => {
    const [tenant] = generateFleet(options, { from: i, to: i + 1 }) as Iterable<GeneratedTenant>;
    return { tenant, archetype: tenant.params.archetype };
  });
}

describe('retrieval on a small generated fleet', async () => {
  const fleet = balancedFleet();
  const features = await collectRetrievalFeatures(fleet, {
    seed: 3,
    heldOutFraction: 0.3,
    windowMinutes: [120],
    endPointsPerTenant: 4,
    windowsPerTuningTenant: 8,
  });
  const report = scoreRetrieval(features, { k: 5 });
  const result = (condition: string, store: string) =>
    report.results.find((r) => r.condition === condition && r.store === store)!;

  it('splits the fleet into tuning and held-out tenants and queries every held-out one', () => {
    expect(features.tuningTenants + features.heldOutTenants).toBe(80);
    expect(features.heldOutTenants).toBeGreaterThan(15);
    expect(result('full', 'full-history').queries).toBe(features.heldOutTenants);
    expect(result('120m', 'same-length-windows').queries).toBe(4 * features.heldOutTenants);
    expect(features.historyMinutes).toBe(DAYS * 1440);
  });

  it('names the right archetype for ≥ 90% of held-out tenants from their full history', () => {
    expect(result('full', 'full-history').accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('names the right archetype for most 2-hour windows with a store of 2-hour windows', () => {
    // A guard, not the target: the 0.70 target is measured on 1000 tenants (README.md), where the
    // window store also beats the full-history store by 0.3; with 56 tuning tenants the two tie.
    expect(result('120m', 'same-length-windows').accuracy).toBeGreaterThanOrEqual(0.6);
  });

  it('reports a confusion matrix whose rows add up to the queries', () => {
    const full = result('full', 'full-history');
    const total = Object.values(full.confusion).reduce(
      (sum, row) => sum + Object.values(row).reduce((a, b) => a + b, 0),
      0,
    );
    expect(total).toBe(full.queries);
    const md = retrievalMarkdown(report);
    expect(md).toMatch(/\| full \| \d+ \| — \| 0\.\d{3} \|/);
    expect(md).toMatch(/## Confusion: 120m \(same-length-windows store\)/);
  });
});
