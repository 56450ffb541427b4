// The v2 training pool: a pure function of (seed, index range), written in resumable chunks.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_SEED_BASE } from '@tsfm/workload-gen';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_SERIES,
  chunkName,
  generateChunk,
  POOL_FAMILIES,
  parsePoolFamilies,
  poolFamilyOf,
  readMatchingPool,
  writeChunks,
  writePoolIndex,
  type PoolSpec,
} from '../src/data/pool.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const spec: PoolSpec = { corpusSeed: CORPUS_SEED_BASE + 1, firstIndex: 0, count: CHUNK_SERIES + 40, length: 700 };
const sha = (a: Float32Array): string => createHash('sha256').update(new Uint8Array(a.buffer)).digest('hex');

describe('training pool', () => {
  it('interleaves the families in their documented shares', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) counts.set(poolFamilyOf(i).name, (counts.get(poolFamilyOf(i).name) ?? 0) + 1);
    for (const f of POOL_FAMILIES) expect((counts.get(f.name) ?? 0) / 20_000).toBeCloseTo(f.share, 1);
    expect(POOL_FAMILIES.reduce((a, f) => a + f.share, 0)).toBeCloseTo(1, 12);
  });

  it('a family subset renormalises the shares and a pool of other families never matches', () => {
    const only = parsePoolFamilies('seasonal, kernel-and-shapes');
    expect(only).toEqual(['kernel-and-shapes', 'seasonal']); // canonical order names one folder per set
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const name = poolFamilyOf(i, only).name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect(counts.has('calendar')).toBe(false);
    expect((counts.get('kernel-and-shapes') ?? 0) / 20_000).toBeCloseTo(0.6, 1);
    expect(() => parsePoolFamilies('calendar,weekly')).toThrow(/unknown pool family weekly/);
    expect(() => parsePoolFamilies('')).toThrow(/unknown pool family/);
    const dir = tempDir('pool-families-');
    const small: PoolSpec = { ...spec, count: 8, families: only };
    writeChunks(dir, small, 0, 1);
    writePoolIndex(dir, small);
    expect(readMatchingPool(dir, small)).not.toBeNull();
    expect(readMatchingPool(dir, { ...small, families: undefined })).toBeNull();
  });

  it('a chunk is the same bytes every time, and the last chunk is short', () => {
    const small: PoolSpec = { ...spec, count: CHUNK_SERIES + 3 };
    const last = generateChunk(small, 1);
    expect(last.length).toBe(3 * small.length);
    expect(sha(generateChunk(small, 1))).toBe(sha(last));
    const shifted = generateChunk({ ...small, firstIndex: 1 }, 1);
    expect(sha(shifted)).not.toBe(sha(last));
  });

  it('writes only missing chunks, so an interrupted write resumes; pool.json needs every chunk', () => {
    const dir = tempDir('pool-');
    const small: PoolSpec = { ...spec, count: 2 * CHUNK_SERIES + 2, length: 640 };
    // Worker 1 of 2 writes chunk 1 only ("the other process was killed").
    expect(writeChunks(dir, small, 1, 2)).toBe(1);
    expect(() => writePoolIndex(dir, small)).toThrow(/2 chunks missing/);
    const before = statSync(join(dir, chunkName(1))).mtimeMs;
    writeFileSync(join(dir, 'marker'), '');
    // A full rerun writes chunks 0 and 2 and leaves chunk 1 alone.
    expect(writeChunks(dir, small, 0, 1)).toBe(2);
    expect(statSync(join(dir, chunkName(1))).mtimeMs).toBe(before);
    const index = writePoolIndex(dir, small);
    expect(index.chunks).toHaveLength(3);
    expect(readMatchingPool(dir, small)).not.toBeNull();
    expect(readMatchingPool(dir, { ...small, count: small.count + 1 })).toBeNull();
    const bytes = readFileSync(join(dir, chunkName(2)));
    expect(bytes.byteLength).toBe(2 * 640 * 4);
    expect(existsSync(join(dir, 'pool.json'))).toBe(true);
  });
});
