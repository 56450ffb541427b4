/**
 * The v2 training pool: a fixed, seeded set of synthetic series written to disk once, from which
 * the trainer cuts windows (with TSMixup) for the whole run.
 *
 * Why a pool instead of generating series per step (the v1 trainer's way): the PyTorch trainer
 * consumes ~5–9 k windows/s, while the corpus generators make ~100–800 series/s per core, so
 * streaming fresh series would starve it. A pool of ~10^5 series × 1536 points holds ~10^8
 * distinct windows, and TSMixup (convex mixes of 2–3 pool windows) multiplies that again.
 *
 * Layout of a pool folder: `pool.json` (the spec, the families' shares and the chunk list) and
 * `chunk-NNNNN.f32` files, each `CHUNK_SERIES × length` little-endian float32 values (NaN =
 * missing). Chunks are written to a temp name and renamed, so an interrupted run resumes by
 * skipping the chunks that exist — the same seed always gives the same bytes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calendarCorpusSeries, corpusSeries } from '@tsfm/workload-gen';
import type { SeriesSource } from './windows.js';
import { seasonalCorpusSeries } from './seasonal-corpus.js';
import { dropsCorpusSeries } from './drops-corpus.js';
import { noisyCorpusSeries } from './noisy-corpus.js';

/** Series per chunk file: small enough that a lost chunk costs seconds, large enough to keep the file count low. */
export const CHUNK_SERIES = 2048;

/**
 * The pool's families and their shares of series (model card § Training). Shares are relative:
 * a pool renormalises them over the families it uses. The first three are the 0.2.0 corpus mix
 * (their shares sum to 1); `drops` and `noisy` are opt-in (`--pool-families`), so the default pool's bytes
 * and family assignment stay what they were before it existed.
 */
export const POOL_FAMILIES = [
  {
    name: 'calendar',
    share: 0.5,
    source: calendarCorpusSeries,
    what: '@tsfm/workload-gen calendarCorpusSeries: calendar-true daily/weekly cycles at 1–60 min steps',
  },
  {
    name: 'kernel-and-shapes',
    share: 0.3,
    source: corpusSeries,
    what: '@tsfm/workload-gen corpusSeries: KernelSynth-style compositions, archetype samples, random walks, shifts, trends, spikes, intermittent',
  },
  {
    name: 'seasonal',
    share: 0.2,
    source: seasonalCorpusSeries,
    what: '@tsfm/pretrain seasonalCorpusSeries: 1–3 cycles at integer periods with harmonics, trends, shifts, spikes',
  },
  {
    name: 'drops',
    share: 0.1,
    source: dropsCorpusSeries,
    what: '@tsfm/pretrain dropsCorpusSeries: non-negative usage that falls to 0 (outages, on-off runs, sparse counters)',
  },
  {
    name: 'noisy',
    share: 0.15,
    source: noisyCorpusSeries,
    what: '@tsfm/pretrain noisyCorpusSeries: a daily/weekly curve under i.i.d. noise 0.5–5 × its spread (Gaussian, Laplace, two-level), gridded',
  },
] as const satisfies readonly { name: string; share: number; source: SeriesSource; what: string }[];

export type PoolFamily = (typeof POOL_FAMILIES)[number]['name'];

/** The families a pool uses when none are named: the 0.2.0 corpus (opt-in families excluded). */
export const DEFAULT_POOL_FAMILIES: readonly PoolFamily[] = ['calendar', 'kernel-and-shapes', 'seasonal'];

/** The families of a spec, in canonical order (absent = the default set). */
export function specFamilies(spec: Pick<PoolSpec, 'families'>): (typeof POOL_FAMILIES)[number][] {
  const only = spec.families ?? DEFAULT_POOL_FAMILIES;
  return POOL_FAMILIES.filter((f) => only.includes(f.name));
}

/** Parses a comma-separated family list (the CLIs' `--families` / `--pool-families`). */
export function parsePoolFamilies(text: string): PoolFamily[] {
  const names = POOL_FAMILIES.map((f) => f.name as string);
  const chosen = [...new Set(text.split(',').map((s) => s.trim()))];
  const unknown = chosen.filter((n) => !names.includes(n));
  if (unknown.length > 0 || chosen.length === 0 || chosen[0] === '')
    throw new RangeError(`unknown pool family ${unknown.join(', ') || '(empty)'} (known: ${names.join(', ')})`);
  // Canonical order, so the same set always names the same pool folder.
  return POOL_FAMILIES.map((f) => f.name).filter((n) => chosen.includes(n));
}

export interface PoolSpec {
  /** Corpus seed (≥ CORPUS_SEED_BASE: the corpus seed domain of @tsfm/workload-gen). */
  corpusSeed: number;
  /** First series index: training pools start at 0, held-out pools at HELD_OUT_POOL_BASE. */
  firstIndex: number;
  count: number;
  length: number;
  /** Only these families, shares renormalised (the data ablations); default DEFAULT_POOL_FAMILIES. */
  families?: readonly PoolFamily[];
}

/** Held-out series come from indices no training pool of a realistic size reaches. */
export const HELD_OUT_POOL_BASE = 1_000_000_000;

export interface PoolIndex extends Omit<PoolSpec, 'families'> {
  format: 'tsfm-pool-v1';
  chunkSeries: number;
  chunks: string[];
  families: { name: string; share: number; what: string }[];
}

/** Which family series `index` belongs to: a hash of the index, so families interleave evenly. */
export function poolFamilyOf(
  index: number,
  only: readonly PoolFamily[] = DEFAULT_POOL_FAMILIES,
): (typeof POOL_FAMILIES)[number] {
  const chosen = specFamilies({ families: only });
  if (chosen.length === 0) throw new Error('a pool needs at least one family');
  const total = chosen.reduce((a, f) => a + f.share, 0);
  const h = Math.imul(index ^ (index >>> 15), 0x2c1b3c6d) ^ Math.imul(index >>> 7, 0x297a2d39);
  const u = (((h ^ (h >>> 12)) >>> 0) / 4294967296) * total;
  let cumulative = 0;
  for (const family of chosen) {
    cumulative += family.share;
    if (u < cumulative) return family;
  }
  return chosen[chosen.length - 1];
}

export function chunkCount(spec: PoolSpec): number {
  return Math.ceil(spec.count / CHUNK_SERIES);
}

export function chunkName(k: number): string {
  return `chunk-${String(k).padStart(5, '0')}.f32`;
}

/** Generates chunk `k` of the pool (pure: same spec and k give the same bytes). */
export function generateChunk(spec: PoolSpec, k: number): Float32Array {
  const first = k * CHUNK_SERIES;
  const n = Math.min(CHUNK_SERIES, spec.count - first);
  const out = new Float32Array(n * spec.length);
  for (let i = 0; i < n; i++) {
    const index = spec.firstIndex + first + i;
    out.set(poolFamilyOf(index, spec.families).source(spec.corpusSeed, index, spec.length), i * spec.length);
  }
  return out;
}

/**
 * Writes the chunks `k ≡ worker (mod workers)` that are missing; returns how many it wrote.
 * Several processes can share one folder, each with its own worker number.
 */
export function writeChunks(
  dir: string,
  spec: PoolSpec,
  worker: number,
  workers: number,
  onChunk?: (k: number) => void,
): number {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  for (let k = worker; k < chunkCount(spec); k += workers) {
    const path = join(dir, chunkName(k));
    if (existsSync(path)) continue;
    const data = generateChunk(spec, k);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    renameSync(tmp, path);
    written++;
    onChunk?.(k);
  }
  return written;
}

/** Writes pool.json once every chunk exists (the trainer refuses a folder without it). */
export function writePoolIndex(dir: string, spec: PoolSpec): PoolIndex {
  const chunks = Array.from({ length: chunkCount(spec) }, (_, k) => chunkName(k));
  const missing = chunks.filter((c) => !existsSync(join(dir, c)));
  if (missing.length > 0) throw new Error(`pool ${dir}: ${missing.length} chunks missing (first ${missing[0]})`);
  const index: PoolIndex = {
    format: 'tsfm-pool-v1',
    ...spec,
    chunkSeries: CHUNK_SERIES,
    chunks,
    families: specFamilies(spec).map(({ name, share, what }) => ({ name, share, what })),
  };
  writeFileSync(join(dir, 'pool.json'), JSON.stringify(index, null, 1) + '\n');
  return index;
}

/** The pool index in `dir` if it exists and matches `spec` exactly; otherwise null. */
export function readMatchingPool(dir: string, spec: PoolSpec): PoolIndex | null {
  const path = join(dir, 'pool.json');
  if (!existsSync(path)) return null;
  const index = JSON.parse(readFileSync(path, 'utf8')) as PoolIndex;
  const same =
    index.format === 'tsfm-pool-v1' &&
    index.corpusSeed === spec.corpusSeed &&
    index.firstIndex === spec.firstIndex &&
    index.count === spec.count &&
    index.length === spec.length &&
    JSON.stringify(index.families.map((f) => f.name)) === JSON.stringify(specFamilies(spec).map((f) => f.name)) &&
    index.chunkSeries === CHUNK_SERIES;
  return same ? index : null;
}
