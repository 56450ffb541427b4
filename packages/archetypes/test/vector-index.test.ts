import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VectorIndex, type VectorIndexKind } from '../src/index.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const DIM = 16;
const N = 500;

/** Deterministic pseudo-random rows (an LCG is enough for test data). */
function rows(n: number, seed: number): Float32Array {
  const out = new Float32Array(n * DIM);
  let state = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

function bruteForceBest(data: Float32Array, query: Float32Array): number {
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  let best = -1;
  let bestSim = -Infinity;
  for (let i = 0; i < data.length / DIM; i++) {
    const row = data.subarray(i * DIM, (i + 1) * DIM);
    let dot = 0;
    for (let j = 0; j < DIM; j++) dot += row[j] * query[j];
    const sim = dot / (norm(row) * norm(query));
    if (sim > bestSim) [best, bestSim] = [i, sim];
  }
  return best;
}

describe.each<VectorIndexKind>(['flat-ip', 'hnsw32'])('VectorIndex %s', (kind) => {
  const data = rows(N, 7);

  it('finds each stored vector as its own nearest neighbour with cosine ≈ 1', () => {
    const index = VectorIndex.create(DIM, kind);
    index.add(data);
    expect(index.size).toBe(N);
    for (const i of [0, 17, 250, N - 1]) {
      const { ids, similarities } = index.search(data.subarray(i * DIM, (i + 1) * DIM), 3);
      expect(ids[0]).toBe(i);
      expect(similarities[0]).toBeCloseTo(1, 5);
      expect(similarities[1]).toBeLessThanOrEqual(similarities[0]);
    }
  });

  it('agrees with brute-force cosine search on fresh queries', () => {
    const index = VectorIndex.create(DIM, kind);
    index.add(data);
    const queries = rows(20, 99);
    let agree = 0;
    for (let q = 0; q < 20; q++) {
      const query = queries.subarray(q * DIM, (q + 1) * DIM);
      if (index.search(query, 1).ids[0] === bruteForceBest(data, query)) agree++;
    }
    // Flat search is exact; HNSW is approximate but at this size should miss at most one.
    expect(agree).toBeGreaterThanOrEqual(kind === 'flat-ip' ? 20 : 19);
  });

  it('answers a batch of queries in one call exactly as one query at a time', () => {
    const index = VectorIndex.create(DIM, kind);
    index.add(data);
    const queries = rows(7, 42);
    const batch = index.searchBatch(queries, 4);
    for (let q = 0; q < 7; q++) {
      const single = index.search(queries.subarray(q * DIM, (q + 1) * DIM), 4);
      expect(Array.from(batch.ids.subarray(q * 4, q * 4 + 4))).toEqual(Array.from(single.ids));
      expect(Array.from(batch.similarities.subarray(q * 4, q * 4 + 4))).toEqual(Array.from(single.similarities));
    }
  });

  it('writes to disk and to a buffer, and reads back an index that searches identically', () => {
    const index = VectorIndex.create(DIM, kind);
    index.add(data);
    const path = join(tempDir('faiss-'), `${kind}.index`);
    index.write(path);
    const fromFile = VectorIndex.read(path);
    const fromBuffer = VectorIndex.fromBuffer(index.toBuffer());
    const query = rows(1, 3);
    const expected = index.search(query, 5);
    for (const restored of [fromFile, fromBuffer]) {
      expect(restored.size).toBe(N);
      expect(restored.dim).toBe(DIM);
      const got = restored.search(query, 5);
      expect(Array.from(got.ids)).toEqual(Array.from(expected.ids));
      expect(Array.from(got.similarities)).toEqual(Array.from(expected.similarities));
    }
  });
});

describe('VectorIndex input checks', () => {
  it('rejects a query of the wrong dimension', () => {
    const index = VectorIndex.create(DIM, 'flat-ip');
    index.add(rows(2, 1));
    expect(() => index.search(new Float32Array(DIM + 1), 1)).toThrow(/dim is 16/);
  });

  it('pads a batch with −1 where the index holds fewer than k rows', () => {
    const index = VectorIndex.create(DIM, 'flat-ip');
    index.add(rows(2, 1));
    const { ids } = index.searchBatch(rows(2, 5), 3);
    expect(ids[2]).toBe(-1);
    expect(ids[5]).toBe(-1);
    expect([ids[0], ids[1]].sort()).toEqual([0, 1]);
  });

  it('returns no neighbours from an empty index instead of faiss garbage', () => {
    const index = VectorIndex.create(DIM, 'flat-ip');
    expect(index.search(new Float32Array(DIM), 3).ids.length).toBe(0);
  });
});
