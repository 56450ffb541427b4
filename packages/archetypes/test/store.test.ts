import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@tsfm/workload-gen';
import { describe, expect, it } from 'vitest';
import {
  ArchetypeStore,
  ArchetypeStoreError,
  AUTO_HNSW_ABOVE,
  FEATURE_VERSION,
  INDEX_FILE,
  STORE_FILE,
  featureNames,
  voteArchetype,
  type StoreEntry,
} from '../src/index.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const GROUPS = ['core'] as const;
const DIM = featureNames([...GROUPS]).length;

/** Tenants in well-separated clusters, one per archetype: id `${archetype}-${i}`. */
function clusteredEntries(archetypes: readonly string[], perArchetype: number, seed = 1): StoreEntry[] {
  const rng = new Rng(2, seed, 0, 0);
  const centres = archetypes.map(() => Float32Array.from({ length: DIM }, () => 5 * rng.normal()));
  const entries: StoreEntry[] = [];
  archetypes.forEach((archetype, a) => {
    for (let i = 0; i < perArchetype; i++) {
      entries.push({
        id: `${archetype}-${i}`,
        archetype,
        features: Float32Array.from(centres[a], (c) => c + 0.3 * rng.normal()),
      });
    }
  });
  return entries;
}

function tmp(): string {
  return tempDir('archetype-store-');
}

describe('ArchetypeStore build, query and vote', () => {
  const entries = clusteredEntries(['blog', 'retail', 'cron'], 20);
  const store = ArchetypeStore.build(entries, { featureGroups: GROUPS, kind: 'flat-ip' });

  it('finds a stored tenant as its own nearest neighbour', () => {
    const { neighbours } = store.query(entries[25].features, 3);
    expect(neighbours[0]).toMatchObject({ row: 25, id: 'retail-5', archetype: 'retail' });
    expect(neighbours[0].similarity).toBeCloseTo(1, 5);
    expect(neighbours[1].similarity).toBeLessThanOrEqual(neighbours[0].similarity);
  });

  it('votes the archetype of the cluster a new point falls in, with high confidence', () => {
    const probe = entries[45].features.map((v) => v + 0.1);
    const vote = store.vote(probe, 10);
    expect(vote.archetype).toBe('cron');
    expect(vote.confidence).toBeGreaterThan(0.9);
    expect(Object.values(vote.shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('answers a batch exactly as it answers one query at a time', () => {
    const batch = new Float32Array(3 * DIM);
    [0, 21, 59].forEach((r, q) => batch.set(entries[r].features, q * DIM));
    const answers = store.queryBatch(batch, 4);
    [0, 21, 59].forEach((r, q) => expect(answers[q]).toEqual(store.query(entries[r].features, 4)));
  });

  it('reports its shape and rejects bad queries', () => {
    expect(store.size).toBe(60);
    expect(store.kind).toBe('flat-ip');
    expect(store.featureNames).toHaveLength(28);
    expect(store.archetypeNames).toEqual(['blog', 'retail', 'cron']);
    expect(() => store.query(new Float32Array(5), 3)).toThrow(/5 features, store has 28/);
    expect(() => store.query(entries[0].features, 0)).toThrow(/k must be a positive integer/);
  });

  it('refuses to build from nothing or from vectors of the wrong length', () => {
    expect(() => ArchetypeStore.build([], { featureGroups: GROUPS })).toThrow(/no entries/);
    expect(() =>
      ArchetypeStore.build([{ id: 'x', archetype: 'a', features: new Float32Array(3) }], { featureGroups: GROUPS }),
    ).toThrow(/entry 0 \(x\) has 3 features/);
  });

  it("picks HNSW for 'auto' only above the fleet-size threshold", () => {
    const rng = new Rng(3, 1, 0, 0);
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `t${i}`,
        archetype: 'a',
        features: Float32Array.from({ length: DIM }, () => rng.normal()),
      }));
    expect(AUTO_HNSW_ABOVE).toBe(10_000);
    expect(ArchetypeStore.build(many(50), { featureGroups: GROUPS }).kind).toBe('flat-ip');
    // The switch itself at a small threshold: a 10,001-row HNSW build is seconds on a shared box.
    expect(ArchetypeStore.build(many(40), { featureGroups: GROUPS, autoHnswAbove: 40 }).kind).toBe('flat-ip');
    expect(ArchetypeStore.build(many(41), { featureGroups: GROUPS, autoHnswAbove: 40 }).kind).toBe('hnsw32');
  });
});

describe('voteArchetype', () => {
  const n = (archetype: string, similarity: number, row = 0) => ({
    row,
    id: `${archetype}${row}`,
    archetype,
    similarity,
  });

  it('weights by similarity, counts anti-similar neighbours as nothing', () => {
    const vote = voteArchetype([n('a', 0.9), n('b', 0.5), n('b', 0.3), n('a', -0.2)]);
    // a: 0.9 (+0 for −0.2), b: 0.8 (each weight also carries +1e-6)
    expect(vote.archetype).toBe('a');
    expect(vote.confidence).toBeCloseTo(0.9 / 1.7, 5);
    expect(vote.shares.b).toBeCloseTo(0.8 / 1.7, 5);
  });

  it('breaks ties towards the nearer neighbour and handles no neighbours', () => {
    expect(voteArchetype([n('b', 0.5), n('a', 0.5)]).archetype).toBe('b');
    expect(voteArchetype([])).toEqual({ archetype: null, confidence: 0, shares: {} });
  });
});

describe('config prior from recorded winners', () => {
  // Two tight pairs far apart: blog-0/blog-1 and cron-0/cron-1.
  const entries = clusteredEntries(['blog', 'cron'], 2, 4);

  it('is empty while no winner has been recorded', () => {
    const store = ArchetypeStore.build(entries, { featureGroups: GROUPS });
    expect(store.configPrior(entries[0].features, 2).size).toBe(0);
  });

  it('is Laplace-smoothed counts over the k nearest tenants (hand-checked)', () => {
    const store = ArchetypeStore.build(entries, { featureGroups: GROUPS });
    store.recordWinners([
      { tenantId: 'blog-0', configKey: 'ctx512' },
      { tenantId: 'blog-0', configKey: 'ctx512' },
      { tenantId: 'blog-1', configKey: 'ctx512' },
      { tenantId: 'blog-1', configKey: 'ctx256' },
    ]);
    store.recordWinner('cron-0', 'log1p');
    // Nearest 2 tenants of a blog query: blog-0, blog-1 → ctx512: 3, ctx256: 1, log1p: 0; 4 wins, 3 keys.
    const prior = store.configPrior(entries[0].features, 2);
    expect(Object.fromEntries(prior)).toEqual({ ctx256: 2 / 7, ctx512: 4 / 7, log1p: 1 / 7 });
    // A cron query sees only cron-0's win: log1p (1+1)/(1+3), the others 1/4.
    expect(Object.fromEntries(store.configPrior(entries[2].features, 2))).toEqual({
      ctx256: 1 / 4,
      ctx512: 1 / 4,
      log1p: 2 / 4,
    });
  });

  it('counts each tenant once when the store holds several windows of it', () => {
    const windows: StoreEntry[] = entries.flatMap((e) =>
      [0, 1, 2].map((w) => ({ ...e, features: e.features.map((v) => v + 0.01 * w) })),
    );
    const store = ArchetypeStore.build(windows, { featureGroups: GROUPS, windowMinutes: 120 });
    store.recordWinner('blog-0', 'a');
    store.recordWinner('blog-1', 'b');
    store.recordWinner('cron-0', 'c');
    // k = 2 distinct tenants even though blog-0's three windows are the three nearest rows.
    expect(Object.fromEntries(store.configPrior(windows[0].features, 2))).toEqual({ a: 2 / 5, b: 2 / 5, c: 1 / 5 });
  });

  it('rejects winners for tenants it does not hold', () => {
    const store = ArchetypeStore.build(entries, { featureGroups: GROUPS });
    expect(() => store.recordWinner('nobody', 'ctx512')).toThrow(/"nobody" is not in this store/);
  });
});

describe('ArchetypeStore save and load', () => {
  const entries = clusteredEntries(['blog', 'retail', 'cron', 'idle'], 30, 5);

  it.each(['flat-ip', 'hnsw32'] as const)(
    '%s: loads back a store that answers identically, winners included',
    (kind) => {
      const dir = tmp();
      const store = ArchetypeStore.build(entries, { featureGroups: GROUPS, kind, windowMinutes: 120 });
      store.recordWinner('retail-3', 'ctx512');
      store.save(dir);
      const loaded = ArchetypeStore.load(dir);
      expect(loaded.kind).toBe(kind);
      expect(loaded.windowMinutes).toBe(120);
      expect(loaded.featureGroups).toEqual(['core']);
      for (const r of [0, 37, 119])
        expect(loaded.query(entries[r].features, 5)).toEqual(store.query(entries[r].features, 5));
      expect(loaded.configPrior(entries[33].features, 3)).toEqual(store.configPrior(entries[33].features, 3));
      rmSync(dir, { recursive: true });
    },
  );

  function saved(): string {
    const dir = tmp();
    ArchetypeStore.build(entries, { featureGroups: GROUPS }).save(dir);
    return dir;
  }

  function editMetadata(dir: string, edit: (meta: Record<string, unknown>) => void): void {
    const path = join(dir, STORE_FILE);
    const meta = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    edit(meta);
    writeFileSync(path, JSON.stringify(meta));
  }

  function loadError(dir: string): ArchetypeStoreError {
    try {
      ArchetypeStore.load(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(ArchetypeStoreError);
      return e as ArchetypeStoreError;
    }
    throw new Error('load did not fail');
  }

  it('names the missing file', () => {
    const error = loadError(join(tmp(), 'nowhere'));
    expect(error.file).toMatch(/nowhere\/store\.json$/);
    expect(error.message).toMatch(/cannot read/);
  });

  it('names the file whose JSON is corrupt', () => {
    const dir = saved();
    writeFileSync(join(dir, STORE_FILE), '{"format": "tsfm-archetype-store", ');
    expect(loadError(dir).message).toMatch(/store\.json: not valid JSON/);
  });

  it('refuses a store built with another feature version and says to rebuild', () => {
    const dir = saved();
    editMetadata(dir, (m) => (m.featureVersion = FEATURE_VERSION + 1));
    const error = loadError(dir);
    expect(error.field).toBe('featureVersion');
    expect(error.message).toMatch(new RegExp(`feature version ${FEATURE_VERSION + 1}.*rebuild the store`));
  });

  it('names the invalid field', () => {
    const dir = saved();
    editMetadata(dir, (m) => ((m.scaler as { scale: number[] }).scale[3] = -1));
    expect(loadError(dir).field).toBe('scaler.scale[3]');
    editMetadata(dir, (m) => {
      (m.scaler as { scale: number[] }).scale[3] = 1;
      (m.archetypes as string[]).pop();
    });
    expect(loadError(dir).message).toMatch(/archetypes: has 119 entries, ids has 120/);
    editMetadata(dir, (m) => {
      (m.archetypes as string[]).push('idle');
      m.winners = { ghost: { ctx: 1 } };
    });
    expect(loadError(dir).message).toMatch(/winners\.ghost: is not a tenant of this store/);
  });

  it('names the index file when it is missing, corrupt or disagrees with the metadata', () => {
    const dir = saved();
    editMetadata(dir, (m) => (m.ids = (m.ids as string[]).slice(0, 119).concat('extra-0', 'extra-1')));
    editMetadata(dir, (m) => (m.archetypes = (m.archetypes as string[]).concat('idle')));
    expect(loadError(dir).message).toMatch(/index\.faiss: index holds 120 vectors, store\.json lists 121 ids/);
    writeFileSync(join(dir, INDEX_FILE), 'not a faiss index');
    expect(loadError(dir).message).toMatch(/index\.faiss: cannot read faiss index/);
    rmSync(join(dir, INDEX_FILE));
    expect(loadError(dir).file).toMatch(/index\.faiss$/);
  });
});
