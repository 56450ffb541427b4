// The v2 training pool: a pure function of (seed, index range), written in resumable chunks.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_SEED_BASE } from '@tsfm/workload-gen';
import { describe, expect, it } from 'vitest';
import {
  CHUNK_SERIES,
  chunkName,
  DEFAULT_POOL_FAMILIES,
  generateChunk,
  POOL_FAMILIES,
  parsePoolFamilies,
  poolFamilyOf,
  readMatchingPool,
  writeChunks,
  writePoolIndex,
  type PoolSpec,
} from '../src/data/pool.js';
import { dropsCorpusSeries } from '../src/data/drops-corpus.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const spec: PoolSpec = { corpusSeed: CORPUS_SEED_BASE + 1, firstIndex: 0, count: CHUNK_SERIES + 40, length: 700 };
const sha = (a: Float32Array): string => createHash('sha256').update(new Uint8Array(a.buffer)).digest('hex');

describe('training pool', () => {
  it('interleaves the default families in their documented shares; opt-in families stay out', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) counts.set(poolFamilyOf(i).name, (counts.get(poolFamilyOf(i).name) ?? 0) + 1);
    const defaults = POOL_FAMILIES.filter((f) => DEFAULT_POOL_FAMILIES.includes(f.name));
    for (const f of defaults) expect((counts.get(f.name) ?? 0) / 20_000).toBeCloseTo(f.share, 1);
    expect(defaults.reduce((a, f) => a + f.share, 0)).toBeCloseTo(1, 12);
    expect(counts.has('drops')).toBe(false);
  });

  it('the default pool is the 0.2.0 corpus bit for bit (pinned before the opt-in drops family existed)', () => {
    const chunk = generateChunk({ corpusSeed: CORPUS_SEED_BASE + 1, firstIndex: 0, count: 96, length: 512 }, 0);
    expect(sha(chunk)).toBe('26250d9390456a367d239c374646cee5c454a1805b6c0a4d538ff7738579c734');
    const assignment = Array.from({ length: 4096 }, (_, i) => poolFamilyOf(i).name[0]).join('');
    expect(createHash('sha256').update(assignment).digest('hex')).toBe(
      'f3f98f4ebf688281250e910a9d1b3db5ab14ce5f56a6427249b3f5d7b25dc847',
    );
  });

  it('the drops family: non-negative usage that reaches 0, pure in (seed, index), opt-in by name', () => {
    const with_ = parsePoolFamilies('drops,calendar,seasonal,kernel-and-shapes');
    expect(with_).toEqual(['calendar', 'kernel-and-shapes', 'seasonal', 'drops']);
    let drops = 0;
    for (let i = 0; i < 20_000; i++) if (poolFamilyOf(i, with_).name === 'drops') drops++;
    expect(drops / 20_000).toBeCloseTo(0.1 / 1.1, 1);
    let withZeros = 0;
    for (let i = 0; i < 60; i++) {
      const s = dropsCorpusSeries(CORPUS_SEED_BASE + 1, i, 600);
      let zeros = 0;
      for (const v of s) {
        expect(Number.isNaN(v) || (Number.isFinite(v) && v >= 0)).toBe(true);
        if (v === 0) zeros++;
      }
      if (zeros >= 6) withZeros++;
    }
    // Outages with an idle floor instead of exact 0 are the only series without zeros.
    expect(withZeros).toBeGreaterThan(30);
    expect(withZeros).toBeLessThan(60);
    expect(sha(dropsCorpusSeries(CORPUS_SEED_BASE + 1, 7, 600))).toBe(
      sha(dropsCorpusSeries(CORPUS_SEED_BASE + 1, 7, 600)),
    );
    expect(sha(dropsCorpusSeries(CORPUS_SEED_BASE + 1, 7, 600))).not.toBe(
      sha(dropsCorpusSeries(CORPUS_SEED_BASE + 2, 7, 600)),
    );
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
