/**
 * The archetype store: tenants' feature vectors in a faiss index, their archetypes, the scaler
 * the vectors were standardised with, and which configs won the harness for them in past runs.
 *
 * Retrieval is cosine similarity between standardised feature vectors (VectorIndex L2-normalises
 * rows, so inner product = cosine). From the nearest rows a query gets a similarity-weighted
 * archetype vote and a config prior for the harness' cold start (design.md §5 step 2, §6).
 *
 * Rows are usually tenants, but a store may hold several rows per tenant — features of random
 * windows of one length (`windowMinutes`), which is what lets a query with only two hours of
 * history be compared with two-hour windows rather than with fortnight-long histories.
 *
 * Persistence: `<dir>/index.faiss` (faiss' own format) and `<dir>/store.json` (everything else),
 * each written to a temporary name, fsynced and renamed into place.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ArchetypeStoreError } from './errors.js';
import {
  FEATURE_GROUPS,
  FEATURE_VERSION,
  DEFAULT_FEATURE_GROUPS,
  featureNames,
  type FeatureGroup,
} from './features.js';
import { ArchetypeScaler, scalerSchema } from './scaler.js';
import { VectorIndex, type VectorIndexKind } from './vector-index.js';

export const STORE_FILE = 'store.json';
export const INDEX_FILE = 'index.faiss';
export const STORE_FORMAT = 'tsfm-archetype-store';
/** Version of the store.json layout (the feature definitions have their own FEATURE_VERSION). */
export const STORE_FORMAT_VERSION = 1;
/** 'auto' switches from exact flat search to HNSW above this many rows. */
export const AUTO_HNSW_ABOVE = 10_000;

export interface StoreEntry {
  /** Tenant id; repeated when a store holds several windows of one tenant. */
  readonly id: string;
  readonly archetype: string;
  /** Raw (unscaled) features in the order of featureNames(featureGroups). */
  readonly features: Float32Array;
}

export type StoreIndexKind = 'auto' | VectorIndexKind;

export interface ArchetypeStoreOptions {
  /** Default 'auto': flat inner product up to `autoHnswAbove` rows, HNSW32 above. */
  readonly kind?: StoreIndexKind;
  /** Row count above which 'auto' picks HNSW (default AUTO_HNSW_ABOVE). */
  readonly autoHnswAbove?: number;
  /** Feature groups the entries were computed with (default DEFAULT_FEATURE_GROUPS). */
  readonly featureGroups?: readonly FeatureGroup[];
  /** History length (minutes) each row's features were computed on; null (default) = full history. */
  readonly windowMinutes?: number | null;
  /**
   * 'fisher' (default): standardised features are weighted by how well they separate the
   * entries' archetypes (ArchetypeScaler, README.md ablation); 'none': plain standardisation.
   */
  readonly weighting?: 'fisher' | 'none';
}

export interface Neighbour {
  /** Row of the store (insertion order of build). */
  readonly row: number;
  readonly id: string;
  readonly archetype: string;
  /** Cosine similarity of standardised feature vectors, in [−1, 1]. */
  readonly similarity: number;
}

export interface ArchetypeVote {
  /** The archetype with the largest weight; null when there were no neighbours. */
  readonly archetype: string | null;
  /** Its share of the total weight, in [0, 1]. */
  readonly confidence: number;
  /** Every archetype's share of the weight (sums to 1). */
  readonly shares: Readonly<Record<string, number>>;
}

export interface RetrievalResult {
  readonly neighbours: readonly Neighbour[];
  readonly vote: ArchetypeVote;
}

export interface WinnerRecord {
  readonly tenantId: string;
  readonly configKey: string;
}

/**
 * Similarity-weighted vote. A neighbour's weight is its similarity clipped at 0 — an
 * anti-correlated neighbour is evidence of nothing — plus 1e-6, so that a query whose
 * neighbours are all orthogonal (an all-imputed vector) still gets a plain majority vote.
 * Ties go to the archetype of the nearer neighbour.
 */
export function voteArchetype(neighbours: readonly Neighbour[]): ArchetypeVote {
  if (neighbours.length === 0) return { archetype: null, confidence: 0, shares: {} };
  const weight = new Map<string, number>();
  let total = 0;
  for (const n of neighbours) {
    const w = Math.max(0, n.similarity) + 1e-6;
    weight.set(n.archetype, (weight.get(n.archetype) ?? 0) + w);
    total += w;
  }
  let best: string | null = null;
  let bestWeight = -1;
  // Map iteration is in first-seen order, i.e. by nearest neighbour: a strict > keeps ties there.
  for (const [archetype, w] of weight) {
    if (w > bestWeight) [best, bestWeight] = [archetype, w];
  }
  const shares: Record<string, number> = {};
  for (const [archetype, w] of weight) shares[archetype] = w / total;
  return { archetype: best, confidence: bestWeight / total, shares };
}

const metadataSchema = z
  .object({
    format: z.literal(STORE_FORMAT),
    formatVersion: z.literal(STORE_FORMAT_VERSION),
    featureVersion: z.number().int(),
    featureGroups: z.array(z.enum(FEATURE_GROUPS)).min(1),
    featureNames: z.array(z.string()).min(1),
    windowMinutes: z.number().positive().nullable(),
    indexKind: z.enum(['flat-ip', 'hnsw32']),
    indexFile: z.string().min(1),
    ids: z.array(z.string().min(1)),
    archetypes: z.array(z.string().min(1)),
    scaler: scalerSchema,
    winners: z.record(z.string(), z.record(z.string(), z.number().int().positive())),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.archetypes.length !== m.ids.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['archetypes'],
        message: `has ${m.archetypes.length} entries, ids has ${m.ids.length}`,
      });
    }
    if (m.scaler.mean.length !== m.featureNames.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['scaler', 'mean'],
        message: `has ${m.scaler.mean.length} entries for ${m.featureNames.length} features`,
      });
    }
    const known = new Set(m.ids);
    for (const id of Object.keys(m.winners)) {
      if (!known.has(id))
        ctx.addIssue({ code: 'custom', path: ['winners', id], message: 'is not a tenant of this store' });
    }
  });

type StoreMetadata = z.infer<typeof metadataSchema>;

export class ArchetypeStore {
  private readonly winners = new Map<string, Map<string, number>>();
  private readonly knownIds: ReadonlySet<string>;
  /** Most rows any one tenant has: how far to search to find k distinct tenants. */
  private readonly maxRowsPerTenant: number;

  private constructor(
    private readonly index: VectorIndex,
    readonly scaler: ArchetypeScaler,
    private readonly ids: readonly string[],
    private readonly archetypes: readonly string[],
    readonly featureGroups: readonly FeatureGroup[],
    readonly windowMinutes: number | null,
    readonly kind: VectorIndexKind,
  ) {
    this.knownIds = new Set(ids);
    const rowsPerTenant = new Map<string, number>();
    for (const id of ids) rowsPerTenant.set(id, (rowsPerTenant.get(id) ?? 0) + 1);
    let most = 1;
    for (const n of rowsPerTenant.values()) if (n > most) most = n;
    this.maxRowsPerTenant = most;
  }

  /** Fits the scaler on the entries and indexes their standardised vectors. */
  static build(entries: readonly StoreEntry[], options: ArchetypeStoreOptions = {}): ArchetypeStore {
    const groups = FEATURE_GROUPS.filter((g) => (options.featureGroups ?? DEFAULT_FEATURE_GROUPS).includes(g));
    const dim = featureNames(groups).length;
    if (entries.length === 0) throw new RangeError('cannot build an archetype store from no entries');
    const rows = new Float32Array(entries.length * dim);
    entries.forEach((e, i) => {
      if (e.features.length !== dim) {
        throw new RangeError(
          `entry ${i} (${e.id}) has ${e.features.length} features; groups [${groups.join(', ')}] have ${dim}`,
        );
      }
      rows.set(e.features, i * dim);
    });
    const weighting = options.weighting ?? 'fisher';
    const scaler = ArchetypeScaler.fit(
      rows,
      dim,
      weighting === 'fisher' ? { labels: entries.map((e) => e.archetype) } : {},
    );
    const kind = resolveKind(options.kind ?? 'auto', entries.length, options.autoHnswAbove ?? AUTO_HNSW_ABOVE);
    const index = VectorIndex.create(dim, kind);
    index.add(scaler.transform(rows, rows));
    const windowMinutes = options.windowMinutes ?? null;
    return new ArchetypeStore(
      index,
      scaler,
      entries.map((e) => e.id),
      entries.map((e) => e.archetype),
      groups,
      windowMinutes,
      kind,
    );
  }

  get size(): number {
    return this.ids.length;
  }

  get featureNames(): readonly string[] {
    return featureNames(this.featureGroups);
  }

  /** Distinct archetypes in the store, in first-seen order. */
  get archetypeNames(): readonly string[] {
    return [...new Set(this.archetypes)];
  }

  /** The k nearest rows to a raw feature vector, and their archetype vote. */
  query(features: Float32Array, k: number): RetrievalResult {
    const neighbours = this.nearest(features, k);
    return { neighbours, vote: voteArchetype(neighbours) };
  }

  /**
   * query() for many row-major feature vectors in one faiss call (much faster than a loop of
   * single queries: VectorIndex.searchBatch).
   */
  queryBatch(rows: Float32Array, k: number): RetrievalResult[] {
    return this.nearestBatch(rows, k).map((neighbours) => ({ neighbours, vote: voteArchetype(neighbours) }));
  }

  /** Shorthand for query(features, k).vote. */
  vote(features: Float32Array, k: number): ArchetypeVote {
    return this.query(features, k).vote;
  }

  recordWinner(tenantId: string, configKey: string): void {
    if (!this.knownIds.has(tenantId)) {
      throw new RangeError(`tenant "${tenantId}" is not in this store; winners are only useful for stored tenants`);
    }
    if (configKey.length === 0) throw new RangeError('configKey must not be empty');
    let counts = this.winners.get(tenantId);
    if (!counts) this.winners.set(tenantId, (counts = new Map()));
    counts.set(configKey, (counts.get(configKey) ?? 0) + 1);
  }

  recordWinners(records: Iterable<WinnerRecord>): void {
    for (const r of records) this.recordWinner(r.tenantId, r.configKey);
  }

  /** Every config key ever recorded, sorted. */
  get configKeys(): string[] {
    const keys = new Set<string>();
    for (const counts of this.winners.values()) for (const key of counts.keys()) keys.add(key);
    return [...keys].sort();
  }

  /**
   * P(config wins) for a query from the winners of its k nearest DISTINCT tenants, with Laplace
   * smoothing over every config key recorded in the store:
   *   p(c) = (wins of c among those tenants + 1) / (their wins in total + number of keys).
   * Counts are not similarity-weighted so that a prior can be checked by hand against the run
   * log. Empty when no winner has been recorded at all (the harness then samples uniformly).
   */
  configPrior(features: Float32Array, k: number): Map<string, number> {
    const keys = this.configKeys;
    const prior = new Map<string, number>();
    if (keys.length === 0) return prior;
    const counts = new Map<string, number>();
    let total = 0;
    for (const id of this.nearestTenants(features, k)) {
      for (const [key, c] of this.winners.get(id) ?? []) {
        counts.set(key, (counts.get(key) ?? 0) + c);
        total += c;
      }
    }
    for (const key of keys) prior.set(key, ((counts.get(key) ?? 0) + 1) / (total + keys.length));
    return prior;
  }

  /** Writes `<dir>/index.faiss` and `<dir>/store.json` (creating dir). */
  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const indexPath = join(dir, INDEX_FILE);
    this.index.write(`${indexPath}.tmp`);
    fsyncFile(`${indexPath}.tmp`);
    renameSync(`${indexPath}.tmp`, indexPath);
    writeFileAtomic(join(dir, STORE_FILE), `${JSON.stringify(this.metadata())}\n`);
  }

  static load(dir: string): ArchetypeStore {
    const metaPath = join(dir, STORE_FILE);
    const meta = readMetadata(metaPath);
    const indexPath = join(dir, meta.indexFile);
    let index: VectorIndex;
    try {
      index = VectorIndex.read(indexPath);
    } catch (e) {
      throw new ArchetypeStoreError(indexPath, `cannot read faiss index (${(e as Error).message})`);
    }
    if (index.dim !== meta.featureNames.length) {
      throw new ArchetypeStoreError(
        indexPath,
        `index dimension is ${index.dim}, ${STORE_FILE} lists ${meta.featureNames.length} features`,
      );
    }
    if (index.size !== meta.ids.length) {
      throw new ArchetypeStoreError(
        indexPath,
        `index holds ${index.size} vectors, ${STORE_FILE} lists ${meta.ids.length} ids`,
      );
    }
    const store = new ArchetypeStore(
      index,
      ArchetypeScaler.fromJSON(meta.scaler),
      meta.ids,
      meta.archetypes,
      meta.featureGroups,
      meta.windowMinutes,
      meta.indexKind,
    );
    for (const [id, counts] of Object.entries(meta.winners)) {
      store.winners.set(id, new Map(Object.entries(counts)));
    }
    return store;
  }

  private nearest(features: Float32Array, k: number): Neighbour[] {
    const dim = this.scaler.dim;
    if (features.length !== dim) throw new RangeError(`query has ${features.length} features, store has ${dim}`);
    return this.nearestBatch(features, k)[0];
  }

  private nearestBatch(rows: Float32Array, k: number): Neighbour[][] {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
    const dim = this.scaler.dim;
    if (rows.length % dim !== 0)
      throw new RangeError(`${rows.length} query values is not a multiple of the store's ${dim} features`);
    const { ids, similarities } = this.index.searchBatch(this.scaler.transform(rows), k);
    const out: Neighbour[][] = [];
    for (let q = 0; q < rows.length / dim; q++) {
      const neighbours: Neighbour[] = [];
      for (let i = q * k; i < (q + 1) * k; i++) {
        const row = ids[i];
        if (row < 0) continue; // faiss pads with −1 when it found fewer than k
        neighbours.push({ row, id: this.ids[row], archetype: this.archetypes[row], similarity: similarities[i] });
      }
      out.push(neighbours);
    }
    return out;
  }

  /** Ids of the k nearest distinct tenants, nearest first. */
  private nearestTenants(features: Float32Array, k: number): string[] {
    const rows = this.nearest(features, Math.min(this.size, k * this.maxRowsPerTenant));
    const seen = new Set<string>();
    for (const n of rows) {
      if (seen.size >= k) break;
      seen.add(n.id);
    }
    return [...seen];
  }

  private metadata(): StoreMetadata {
    const winners: Record<string, Record<string, number>> = {};
    for (const [id, counts] of this.winners) winners[id] = Object.fromEntries(counts);
    return {
      format: STORE_FORMAT,
      formatVersion: STORE_FORMAT_VERSION,
      featureVersion: FEATURE_VERSION,
      featureGroups: [...this.featureGroups],
      featureNames: [...this.featureNames],
      windowMinutes: this.windowMinutes,
      indexKind: this.kind,
      indexFile: INDEX_FILE,
      ids: [...this.ids],
      archetypes: [...this.archetypes],
      scaler: this.scaler.toJSON(),
      winners,
    };
  }
}

/**
 * Exact flat search costs rows × dim multiply-adds per query: 10,000 × 45 is ~0.2 ms, still fine
 * for one cold-start query; above that HNSW (~0.03 ms, recall ≈ 1 at these sizes) takes over.
 */
function resolveKind(kind: StoreIndexKind, rows: number, hnswAbove: number): VectorIndexKind {
  if (kind === 'auto') return rows > hnswAbove ? 'hnsw32' : 'flat-ip';
  if (kind !== 'flat-ip' && kind !== 'hnsw32') throw new RangeError(`unknown index kind "${String(kind)}"`);
  return kind;
}

function readMetadata(path: string): StoreMetadata {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ArchetypeStoreError(path, `cannot read (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ArchetypeStoreError(path, `not valid JSON (${(e as Error).message})`);
  }
  // The feature version is checked before the full schema: an old store is most usefully told
  // "rebuild", not a list of fields that changed shape since.
  const version = (json as { featureVersion?: unknown } | null)?.featureVersion;
  if (typeof version === 'number' && version !== FEATURE_VERSION) {
    throw new ArchetypeStoreError(
      path,
      `store was built with feature version ${version}, this code computes version ${FEATURE_VERSION}; rebuild the store`,
      'featureVersion',
    );
  }
  const result = metadataSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const more = result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more issues)` : '';
    throw new ArchetypeStoreError(path, `${issue.message}${more}`, formatPath(issue.path));
  }
  const meta = result.data;
  const expected = featureNames(meta.featureGroups);
  if (expected.join() !== meta.featureNames.join()) {
    throw new ArchetypeStoreError(
      path,
      `[${meta.featureNames.join(', ')}] is not what groups [${meta.featureGroups.join(', ')}] compute today`,
      'featureNames',
    );
  }
  return meta;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
