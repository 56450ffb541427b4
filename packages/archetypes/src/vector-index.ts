/**
 * Nearest-neighbour index over tenant feature vectors, backed by faiss (faiss-node compiled
 * against Debian's libfaiss by scripts/build-faiss-node.sh).
 *
 * Vectors are L2-normalised before they enter the index, so inner product = cosine similarity.
 * faiss-node's API takes plain number[]; the conversion happens here, once, at the boundary.
 */
import { createRequire } from 'node:module';
import type * as FaissNode from 'faiss-node';

const require = createRequire(import.meta.url);

// faiss parallelises with OpenMP, whose idle threads spin-wait. Our calls are small (one
// cold-start query, a few-thousand-row build) and run on shared 2-core machines, where the
// spinning threads fight everything else: a 10,001-row HNSW build hit a 60 s test timeout with
// the default thread count beside another OpenMP process, and took 0.7–3.9 s single-threaded; a
// single HNSW query on 11k rows took 1.1 ms vs 0.03 ms. libgomp reads the variable once, when
// faiss-node's library is loaded just below (checked: one thread fewer after an HNSW build), so
// it is set here — only when the user has not chosen a value (set it to use more threads).
process.env.OMP_NUM_THREADS ??= '1';

function loadFaiss(): typeof FaissNode {
  try {
    return require('faiss-node') as typeof FaissNode;
  } catch (error) {
    throw new Error(
      `faiss-node native binding is not built (${(error as Error).message}); run \`make setup\` ` +
        '(scripts/build-faiss-node.sh compiles it against libfaiss-dev)',
    );
  }
}

const faiss = loadFaiss();

/** 'flat-ip' is exact; 'hnsw32' is faiss' HNSW graph with M = 32 for large fleets. */
export type VectorIndexKind = 'flat-ip' | 'hnsw32';

export interface Neighbours {
  /** Row ids in insertion order of `add`, best first; -1 where fewer than k exist. */
  readonly ids: Int32Array;
  /** Cosine similarities, best first. */
  readonly similarities: Float32Array;
}

export class VectorIndex {
  private constructor(
    private readonly index: FaissNode.Index,
    readonly dim: number,
  ) {}

  static create(dim: number, kind: VectorIndexKind): VectorIndex {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    const index =
      kind === 'flat-ip'
        ? new faiss.IndexFlatIP(dim)
        : faiss.Index.fromFactory(dim, 'HNSW32', faiss.MetricType.METRIC_INNER_PRODUCT);
    return new VectorIndex(index, dim);
  }

  static read(path: string): VectorIndex {
    const index = faiss.Index.read(path);
    return new VectorIndex(index, index.getDimension());
  }

  static fromBuffer(buffer: Buffer): VectorIndex {
    const index = faiss.Index.fromBuffer(buffer);
    return new VectorIndex(index, index.getDimension());
  }

  get size(): number {
    return this.index.ntotal();
  }

  /** Adds row-major vectors (length a multiple of dim), L2-normalising each row. */
  add(rows: Float32Array): void {
    this.index.add(Array.from(normaliseRows(rows, this.dim)));
  }

  search(query: Float32Array, k: number): Neighbours {
    if (query.length !== this.dim) throw new RangeError(`query has ${query.length} values, index dim is ${this.dim}`);
    const kk = Math.min(k, this.size);
    if (kk === 0) return { ids: new Int32Array(0), similarities: new Float32Array(0) };
    const result = this.index.search(Array.from(normaliseRows(query, this.dim)), kk);
    return { ids: Int32Array.from(result.labels), similarities: Float32Array.from(result.distances) };
  }

  /**
   * k nearest rows for each of many row-major queries in ONE faiss call: faiss spreads a batch
   * over its OpenMP threads, while a loop of single searches pays the thread start-up (and, on a
   * loaded machine, the spin-wait) per query — 1.1 ms vs 0.03 ms per HNSW query measured here.
   * Result row q is ids/similarities [q·k, (q+1)·k), −1 / −Infinity padded when fewer than k exist.
   */
  searchBatch(queries: Float32Array, k: number): Neighbours {
    if (queries.length % this.dim !== 0)
      throw new RangeError(`${queries.length} values is not a multiple of dim ${this.dim}`);
    const nq = queries.length / this.dim;
    const kk = Math.min(k, this.size);
    const ids = new Int32Array(nq * k).fill(-1);
    const similarities = new Float32Array(nq * k).fill(-Infinity);
    if (kk === 0 || nq === 0) return { ids, similarities };
    const result = this.index.search(Array.from(normaliseRows(queries, this.dim)), kk);
    for (let q = 0; q < nq; q++) {
      for (let j = 0; j < kk; j++) {
        ids[q * k + j] = result.labels[q * kk + j];
        similarities[q * k + j] = result.distances[q * kk + j];
      }
    }
    return { ids, similarities };
  }

  write(path: string): void {
    this.index.write(path);
  }

  toBuffer(): Buffer {
    return this.index.toBuffer();
  }
}

/** Copy of `rows` with each dim-length row scaled to unit L2 norm (zero rows stay zero). */
export function normaliseRows(rows: Float32Array, dim: number): Float32Array {
  if (rows.length % dim !== 0) throw new RangeError(`${rows.length} values is not a multiple of dim ${dim}`);
  const out = new Float32Array(rows.length);
  for (let start = 0; start < rows.length; start += dim) {
    let sumSq = 0;
    for (let j = 0; j < dim; j++) sumSq += rows[start + j] * rows[start + j];
    const scale = sumSq > 0 ? 1 / Math.sqrt(sumSq) : 0;
    for (let j = 0; j < dim; j++) out[start + j] = rows[start + j] * scale;
  }
  return out;
}
