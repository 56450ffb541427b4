/**
 * Retrieval accuracy of the archetype store on held-out tenants (design.md §6; issue targets:
 * full history ≥ 0.90, 120 minutes ≥ 0.70).
 *
 * Two phases, so that an ablation costs one pass over the fleet:
 *  1. collectRetrievalFeatures streams the fleet once and computes ALL feature groups for
 *     - tuning tenants: the full history, and `windowsPerTuningTenant` random windows of every
 *       window length (uniform end points over the history);
 *     - held-out tenants: the full history, and for every window length the LAST L minutes
 *       before `endPointsPerTenant` end points, stratified across the day (end point r falls in
 *       the r-th of R equal slices of the day, on a random day, at a random minute of the
 *       slice) because a short window at night and one at midday are different problems.
 *  2. scoreRetrieval builds stores from a column subset (a feature-group set) and scores them:
 *     held-out full histories against the full-history store; each window length against
 *     (a) a store of tuning WINDOWS of that length and (b) the full-history store, so the
 *     report shows what matching like with like is worth.
 * A query counts as correct when the store's similarity-weighted vote names its true archetype.
 */
import { Rng } from '@tsfm/workload-gen';
import {
  DEFAULT_FEATURE_GROUPS,
  FEATURE_GROUPS,
  FeatureExtractor,
  featureNames,
  type FeatureGroup,
  type TenantSeries,
} from './features.js';
import { ArchetypeStore, type StoreEntry, type StoreIndexKind } from './store.js';

/** PRNG domain of the evaluation's own draws ('ARCE'), apart from the generator's domains. */
const EVAL_DOMAIN = 0x41524345;
const STREAM = { split: 0, tuningWindows: 1, queryWindows: 2 } as const;

export const DEFAULT_WINDOW_MINUTES: readonly number[] = [30, 60, 120, 240, 480];

export interface LabelledTenant {
  readonly tenant: TenantSeries & { readonly id: string };
  readonly archetype: string;
}

export interface CollectOptions {
  /** Seed of the split and of the window draws. */
  readonly seed: number;
  /** Share of tenants held out for queries (default 0.3). */
  readonly heldOutFraction?: number;
  readonly windowMinutes?: readonly number[];
  /** Query end points per held-out tenant and window length (default 6). */
  readonly endPointsPerTenant?: number;
  /** Store rows per tuning tenant in each window store (default 16). */
  readonly windowsPerTuningTenant?: number;
}

/** Row-major features (all groups) with one label and tenant id per row. */
export interface FeatureRows {
  readonly rows: Float32Array;
  readonly ids: string[];
  readonly archetypes: string[];
}

export interface RetrievalFeatures {
  readonly dim: number;
  readonly windowMinutes: readonly number[];
  readonly tuningFull: FeatureRows;
  readonly heldOutFull: FeatureRows;
  /** Per window length (same order as windowMinutes). */
  readonly tuningWindows: readonly FeatureRows[];
  readonly queryWindows: readonly FeatureRows[];
  readonly tuningTenants: number;
  readonly heldOutTenants: number;
  /** Shortest tenant history seen, in minutes. */
  readonly historyMinutes: number;
}

/** Growable row-major float32 table: one tenant at a time, no per-row arrays kept. */
class RowCollector {
  private data: Float32Array;
  private count = 0;
  readonly ids: string[] = [];
  readonly archetypes: string[] = [];

  constructor(private readonly dim: number) {
    this.data = new Float32Array(dim * 64);
  }

  push(row: Float32Array, id: string, archetype: string): void {
    if ((this.count + 1) * this.dim > this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(row, this.count * this.dim);
    this.count++;
    this.ids.push(id);
    this.archetypes.push(archetype);
  }

  finish(): FeatureRows {
    return { rows: this.data.slice(0, this.count * this.dim), ids: this.ids, archetypes: this.archetypes };
  }
}

export async function collectRetrievalFeatures(
  source: Iterable<LabelledTenant> | AsyncIterable<LabelledTenant>,
  options: CollectOptions,
): Promise<RetrievalFeatures> {
  const heldOutFraction = options.heldOutFraction ?? 0.3;
  if (!(heldOutFraction > 0 && heldOutFraction < 1))
    throw new RangeError(`heldOutFraction must be in (0, 1), got ${heldOutFraction}`);
  const windowMinutes = options.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
  const endPoints = options.endPointsPerTenant ?? 6;
  const perTuning = options.windowsPerTuningTenant ?? 16;
  const extractor = new FeatureExtractor(FEATURE_GROUPS);
  const dim = extractor.dim;
  const row = new Float32Array(dim);
  const tuningFull = new RowCollector(dim);
  const heldOutFull = new RowCollector(dim);
  const tuningWindows = windowMinutes.map(() => new RowCollector(dim));
  const queryWindows = windowMinutes.map(() => new RowCollector(dim));
  let index = 0;
  let tuningTenants = 0;
  let heldOutTenants = 0;
  let historyMinutes = Infinity;

  for await (const { tenant, archetype } of source) {
    const i = index++;
    const length = Object.values(tenant.metrics)[0]?.length ?? 0;
    const stepMinutes = tenant.stepMs / 60_000;
    historyMinutes = Math.min(historyMinutes, length * stepMinutes);
    const heldOut = new Rng(EVAL_DOMAIN, options.seed, i, STREAM.split).uniform() < heldOutFraction;
    extractor.extract(tenant, {}, row);
    if (heldOut) {
      heldOutTenants++;
      heldOutFull.push(row, tenant.id, archetype);
      const rng = new Rng(EVAL_DOMAIN, options.seed, i, STREAM.queryWindows);
      const pointsPerDay = Math.round(1440 / stepMinutes);
      const days = Math.floor(length / pointsPerDay);
      for (let r = 0; r < endPoints; r++) {
        // Stratified over the day: slice r of R, random day, random point in the slice.
        const inDay = Math.floor(((r + rng.uniform()) / endPoints) * pointsPerDay);
        const day = rng.int(Math.max(1, days));
        windowMinutes.forEach((minutes, w) => {
          const points = Math.round(minutes / stepMinutes);
          // End exclusive; a window that would start before the history slides to day+1.
          let end = day * pointsPerDay + inDay + 1;
          while (end - points < 0) end += pointsPerDay;
          if (end > length) return;
          extractor.extract(tenant, { from: end - points, to: end }, row);
          queryWindows[w].push(row, tenant.id, archetype);
        });
      }
    } else {
      tuningTenants++;
      tuningFull.push(row, tenant.id, archetype);
      const rng = new Rng(EVAL_DOMAIN, options.seed, i, STREAM.tuningWindows);
      windowMinutes.forEach((minutes, w) => {
        const points = Math.round(minutes / stepMinutes);
        if (points > length) return;
        for (let r = 0; r < perTuning; r++) {
          const end = points + rng.int(length - points + 1);
          extractor.extract(tenant, { from: end - points, to: end }, row);
          tuningWindows[w].push(row, tenant.id, archetype);
        }
      });
    }
  }
  return {
    dim,
    windowMinutes: [...windowMinutes],
    tuningFull: tuningFull.finish(),
    heldOutFull: heldOutFull.finish(),
    tuningWindows: tuningWindows.map((c) => c.finish()),
    queryWindows: queryWindows.map((c) => c.finish()),
    tuningTenants,
    heldOutTenants,
    historyMinutes: historyMinutes === Infinity ? 0 : historyMinutes,
  };
}

export interface ScoreOptions {
  /** Default DEFAULT_FEATURE_GROUPS. */
  readonly featureGroups?: readonly FeatureGroup[];
  /** Neighbours in the vote (default 10). */
  readonly k?: number;
  readonly kind?: StoreIndexKind;
  readonly weighting?: 'fisher' | 'none';
}

export interface ConditionResult {
  /** 'full' or `${minutes}m`. */
  readonly condition: string;
  /** Which store answered: full histories, or tuning windows of the query's length. */
  readonly store: 'full-history' | 'same-length-windows';
  readonly queries: number;
  readonly accuracy: number;
  /** confusion[true][predicted] = count. */
  readonly confusion: Record<string, Record<string, number>>;
  readonly recall: Record<string, number>;
}

export interface RetrievalReport {
  readonly featureGroups: readonly FeatureGroup[];
  readonly dim: number;
  readonly k: number;
  readonly tuningTenants: number;
  readonly heldOutTenants: number;
  readonly historyMinutes: number;
  readonly results: readonly ConditionResult[];
}

export function scoreRetrieval(features: RetrievalFeatures, options: ScoreOptions = {}): RetrievalReport {
  const groups = FEATURE_GROUPS.filter((g) => (options.featureGroups ?? DEFAULT_FEATURE_GROUPS).includes(g));
  const k = options.k ?? 10;
  const columns = columnsOf(groups);
  const build = (rows: FeatureRows, windowMinutes: number | null) =>
    ArchetypeStore.build(entriesOf(rows, columns, features.dim), {
      featureGroups: groups,
      windowMinutes,
      ...(options.kind ? { kind: options.kind } : {}),
      ...(options.weighting ? { weighting: options.weighting } : {}),
    });
  const fullStore = build(features.tuningFull, null);
  const results: ConditionResult[] = [
    score('full', 'full-history', fullStore, features.heldOutFull, columns, features.dim, k),
  ];
  features.windowMinutes.forEach((minutes, w) => {
    const queries = features.queryWindows[w];
    if (queries.ids.length === 0) return;
    const windowStore = build(features.tuningWindows[w], minutes);
    results.push(score(`${minutes}m`, 'same-length-windows', windowStore, queries, columns, features.dim, k));
    results.push(score(`${minutes}m`, 'full-history', fullStore, queries, columns, features.dim, k));
  });
  return {
    featureGroups: groups,
    dim: columns.length,
    k,
    tuningTenants: features.tuningTenants,
    heldOutTenants: features.heldOutTenants,
    historyMinutes: features.historyMinutes,
    results,
  };
}

/** Column indices of `groups`' features within the all-groups vector. */
function columnsOf(groups: readonly FeatureGroup[]): number[] {
  const all = featureNames(FEATURE_GROUPS);
  return featureNames(groups).map((name) => all.indexOf(name));
}

function project(rows: Float32Array, r: number, columns: readonly number[], dim: number): Float32Array {
  const out = new Float32Array(columns.length);
  for (let j = 0; j < columns.length; j++) out[j] = rows[r * dim + columns[j]];
  return out;
}

function entriesOf(rows: FeatureRows, columns: readonly number[], dim: number): StoreEntry[] {
  return rows.ids.map((id, r) => ({
    id,
    archetype: rows.archetypes[r],
    features: project(rows.rows, r, columns, dim),
  }));
}

function score(
  condition: string,
  storeKind: ConditionResult['store'],
  store: ArchetypeStore,
  queries: FeatureRows,
  columns: readonly number[],
  dim: number,
  k: number,
): ConditionResult {
  const confusion: Record<string, Record<string, number>> = {};
  let correct = 0;
  const projected = new Float32Array(queries.ids.length * columns.length);
  queries.ids.forEach((_, r) => projected.set(project(queries.rows, r, columns, dim), r * columns.length));
  const answers = store.queryBatch(projected, k);
  queries.ids.forEach((_, r) => {
    const truth = queries.archetypes[r];
    const predicted = answers[r].vote.archetype ?? '(none)';
    confusion[truth] ??= {};
    confusion[truth][predicted] = (confusion[truth][predicted] ?? 0) + 1;
    if (predicted === truth) correct++;
  });
  const recall: Record<string, number> = {};
  for (const [truth, row] of Object.entries(confusion)) {
    const total = Object.values(row).reduce((a, b) => a + b, 0);
    recall[truth] = (row[truth] ?? 0) / total;
  }
  return {
    condition,
    store: storeKind,
    queries: queries.ids.length,
    accuracy: queries.ids.length > 0 ? correct / queries.ids.length : NaN,
    confusion,
    recall,
  };
}

/** Markdown: accuracy table (both stores), then the confusion matrix of every condition. */
export function retrievalMarkdown(report: RetrievalReport, title = 'Archetype retrieval'): string {
  const lines: string[] = [`# ${title}`, ''];
  lines.push(
    `${report.tuningTenants} tuning tenants, ${report.heldOutTenants} held out, ${Math.round(report.historyMinutes / 1440)} days of history; ` +
      `k = ${report.k}; ${report.dim} features (groups: ${report.featureGroups.join(', ')}).`,
    '',
    '| history | queries | store of same-length windows | full-history store |',
    '|---|---|---|---|',
  );
  const conditions = [...new Set(report.results.map((r) => r.condition))];
  for (const c of conditions) {
    const same = report.results.find((r) => r.condition === c && r.store === 'same-length-windows');
    const full = report.results.find((r) => r.condition === c && r.store === 'full-history');
    const queries = (same ?? full)?.queries ?? 0;
    lines.push(
      `| ${c} | ${queries} | ${same ? same.accuracy.toFixed(3) : '—'} | ${full ? full.accuracy.toFixed(3) : '—'} |`,
    );
  }
  for (const r of report.results) {
    if (r.condition !== 'full' && r.store !== 'same-length-windows') continue;
    lines.push('', `## Confusion: ${r.condition} (${r.store} store), accuracy ${r.accuracy.toFixed(3)}`, '');
    const labels = Object.keys(r.confusion).sort();
    const predictedLabels = [
      ...new Set([...labels, ...Object.values(r.confusion).flatMap((row) => Object.keys(row))]),
    ].sort();
    lines.push(`| true \\ predicted | ${predictedLabels.join(' | ')} | recall |`);
    lines.push(`|---|${predictedLabels.map(() => '---|').join('')}---|`);
    for (const t of labels) {
      lines.push(
        `| ${t} | ${predictedLabels.map((p) => r.confusion[t][p] ?? 0).join(' | ')} | ${r.recall[t].toFixed(2)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
