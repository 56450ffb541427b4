/**
 * The real archetype store (@tsfm/archetypes) as a ConfigPriorSource: tenant features computed
 * exactly as the store's entries were (its feature groups, over its window), then the store's
 * config prior (winners of the k nearest distinct tenants, Laplace-smoothed) and its vote.
 *
 * @tsfm/archetypes is imported lazily (dynamic import) so that loading the harness does not load
 * faiss-node (~1 s and a native module) for users without a store; whoever holds a store has
 * already paid that.
 */
import type { ArchetypeStore, FeatureExtractor } from '@tsfm/archetypes';
import type { ConfigPriorSource, TenantHistory } from './config-prior.js';
import { asHarnessError } from './errors.js';

export interface ArchetypePriorOptions {
  /** Distinct neighbour tenants the prior and the vote are taken from (default 10). */
  readonly neighbours?: number;
}

export async function archetypeStorePrior(
  store: ArchetypeStore,
  options: ArchetypePriorOptions = {},
): Promise<ConfigPriorSource> {
  let extractor: FeatureExtractor;
  try {
    const { FeatureExtractor: Extractor } = await import('@tsfm/archetypes');
    extractor = new Extractor(store.featureGroups);
  } catch (error) {
    throw asHarnessError(error, 'bad-request', 'cannot build features for this archetype store');
  }
  const k = options.neighbours ?? 10;
  const features = new Float32Array(extractor.dim);
  // The harness asks for the prior and the archetype of the same request's tenant object one
  // after the other (a fresh object per request); extract once for both.
  let extractedFor: TenantHistory | null = null;
  const featuresOf = (tenant: TenantHistory): Float32Array => {
    if (tenant !== extractedFor) {
      const n = Object.values(tenant.metrics)[0]?.length ?? 0;
      const from = store.windowMinutes === null ? 0 : Math.max(0, n - store.windowMinutes);
      extractor.extract(tenant, { from }, features);
      extractedFor = tenant;
    }
    return features;
  };
  return {
    prior(tenant) {
      const prior = store.configPrior(featuresOf(tenant), k);
      // An empty prior means no winner has been recorded yet: no prior, not a zero prior.
      return prior.size === 0 ? null : prior;
    },
    archetype(tenant) {
      return store.vote(featuresOf(tenant), k).archetype;
    },
  };
}
