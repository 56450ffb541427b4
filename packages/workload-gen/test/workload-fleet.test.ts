// Fleet composition, determinism (pinned bytes), worker parity and seed domains.
import { MINUTE_MS } from '@tsfm/numerics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARCHETYPE_NAMES, ARCHETYPES } from '../src/archetypes.js';
import { corpusSeries } from '../src/corpus/corpus.js';
import { fleetOptions, fleetTenantParams, generateFleet } from '../src/fleet.js';
import { generateFleetInWorkers } from '../src/fleet-worker-pool.js';
import { Rng } from '../src/prng.js';
import { CORPUS_DOMAIN, CORPUS_SEED_BASE, FLEET_DOMAIN, SeedDomainError } from '../src/seed-domains.js';
import { TenantGenerator } from '../src/tenant-generator.js';
import { drawTenantParams } from '../src/tenant-params.js';
import { TIER_ALPHA, TIER_NAMES, TIER_SHARE } from '../src/tiers.js';
import { sha256 } from './workload-helpers.js';

const fleetHash = (seed: number, tenants: number, days: number) => {
  const arrays: Float32Array[] = [];
  for (const t of generateFleet(fleetOptions({ seed, tenants, days })))
    arrays.push(t.metrics.cpu, t.metrics.mem, t.metrics.net, t.metrics.disk);
  return sha256(...arrays);
};

describe('fleet composition', () => {
  it('1000 tenants hold each archetype and tier within 2 of its share', () => {
    const params = fleetTenantParams(fleetOptions({ seed: 42, tenants: 1000, days: 1 }));
    for (const name of ARCHETYPE_NAMES) {
      const n = params.filter((p) => p.archetype === name).length;
      expect(Math.abs(n - ARCHETYPES[name].share * 1000)).toBeLessThanOrEqual(2);
    }
    for (const tier of TIER_NAMES) {
      const n = params.filter((p) => p.tier === tier).length;
      expect(Math.abs(n - TIER_SHARE[tier] * 1000)).toBeLessThanOrEqual(2);
    }
  });

  it('every drawn parameter lies in its archetype range and α matches the tier', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: CORPUS_SEED_BASE - 1 }),
        fc.integer({ min: 0, max: 1e6 }),
        (seed, index) => {
          const p = drawTenantParams(seed, index);
          const a = ARCHETYPES[p.archetype];
          const inRange = (v: number, r: readonly [number, number]) => v >= r[0] && v <= r[1];
          return (
            p.alpha === TIER_ALPHA[p.tier] &&
            inRange(p.noiseSigma, a.noiseSigma) &&
            inRange(p.arPhi, a.arPhi) &&
            inRange(p.weeklyAmp, a.weeklyAmp) &&
            inRange(p.spikesPerDay, a.spikesPerDay) &&
            inRange(p.spikeMagMean, a.spikeMagMean) &&
            inRange(p.cpuNetRho, a.cpuNetRho) &&
            (['cpu', 'mem', 'net', 'disk'] as const).every((m) => inRange(p.base[m], a.base[m])) &&
            (a.daily.kind === 'cosine'
              ? inRange(p.diurnalAmp, a.daily.amp) && inRange(p.peakHour!, a.daily.peakHour)
              : p.peakHour === null)
          );
        },
      ),
    );
  });

  it('a tenant does not depend on the fleet size', () => {
    const small = [...generateFleet(fleetOptions({ seed: 9, tenants: 3, days: 1 }))];
    const large = [...generateFleet(fleetOptions({ seed: 9, tenants: 6, days: 1 }), { to: 3 })];
    expect(large.map((t) => sha256(t.metrics.cpu))).toEqual(small.map((t) => sha256(t.metrics.cpu)));
  });

  it('generating one metric alone gives exactly that metric of the full tenant', () => {
    const p = drawTenantParams(5, 2);
    const grid = { start: Date.UTC(2024, 0, 1), stepMs: MINUTE_MS, length: 2000 };
    const key = { domain: FLEET_DOMAIN, seed: 5, index: 2 };
    const full = new TenantGenerator(grid).generate(p, key);
    for (const m of ['cpu', 'mem', 'net', 'disk'] as const) {
      expect(sha256(new TenantGenerator(grid).generateMetric(p, key, m, grid))).toBe(sha256(full.metrics[m]));
    }
  });
});

describe('determinism', () => {
  it('the same seed gives the same bytes (pinned) and another seed different ones', () => {
    // Pinned: if this changes, every fleet generated so far changes meaning. Only change it on
    // purpose, together with the manifest version.
    expect(fleetHash(42, 4, 7)).toBe('f44c6dbc137a7b1872f1a7f4f68671da111bd38818336a5c170037821dd5df0a');
    expect(fleetHash(42, 4, 7)).toBe(fleetHash(42, 4, 7));
    expect(fleetHash(43, 4, 7)).not.toBe(fleetHash(42, 4, 7));
  });

  it('worker threads produce the same tenants, in the same order, as the main thread', async () => {
    const options = fleetOptions({ seed: 11, tenants: 6, days: 2 });
    const main = [...generateFleet(options)].map(
      (t) => `${t.id}:${sha256(t.metrics.cpu, t.metrics.mem, t.metrics.net, t.metrics.disk)}`,
    );
    const threaded: string[] = [];
    for await (const t of generateFleetInWorkers(options, { workers: 2 })) {
      threaded.push(`${t.id}:${sha256(t.metrics.cpu, t.metrics.mem, t.metrics.net, t.metrics.disk)}`);
    }
    expect(threaded).toEqual(main);
  });
});

describe('seed domains: evaluation fleets and the pretraining corpus never share randomness', () => {
  it('fleet seeds in the corpus range are rejected, and corpus seeds below it', () => {
    expect(() => fleetTenantParams(fleetOptions({ seed: CORPUS_SEED_BASE, tenants: 1, days: 1 }))).toThrow(
      SeedDomainError,
    );
    expect(() => [...generateFleet(fleetOptions({ seed: CORPUS_SEED_BASE + 5, tenants: 1, days: 1 }))]).toThrow(
      /reserved for the pretraining corpus/,
    );
    expect(() => corpusSeries(42, 0, 16)).toThrow(SeedDomainError);
    expect(() => corpusSeries(CORPUS_SEED_BASE - 1, 0, 16)).toThrow(/CORPUS_SEED_BASE/);
    expect(() => corpusSeries(2 ** 32, 0, 16)).toThrow(SeedDomainError);
  });

  it('the valid ranges are disjoint, and even equal numbers hash to different streams per domain', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.nat(1e6), fc.nat(8), (seed, index, stream) => {
        const fleetOk = seed < CORPUS_SEED_BASE;
        const corpusOk = seed >= CORPUS_SEED_BASE;
        const a = new Rng(FLEET_DOMAIN, seed, index, stream);
        const b = new Rng(CORPUS_DOMAIN, seed, index, stream);
        return fleetOk !== corpusOk && (a.nextU32() !== b.nextU32() || a.nextU32() !== b.nextU32());
      }),
    );
  });
});
