/**
 * One archetype store per history length, for the harness' cold start.
 *
 * Features of a 2-hour history are not comparable with features of a fortnight (acf1 reads φ
 * instead of the daily cycle, the mean is one hour's level instead of the day's), so a short
 * query matched against full histories is right 66% of the time at 120 minutes, against 93%
 * when matched against 2-hour windows of the same tenants (README.md). The set holds the
 * full-history store and one store of random windows per length, and answers a tenant from the
 * store that fits its history: the longest window length it covers, computed on its LAST that
 * many minutes, or the full-history store once the history reaches `fullHistoryFromMinutes`
 * (4 days by default).
 *
 * Persistence: `<dir>/store-set.json` plus one ArchetypeStore directory per member
 * (`full/`, `w30/`, `w120/`, …).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@tsfm/workload-gen';
import { z } from 'zod';
import { ArchetypeStoreError } from './errors.js';
import {
  DEFAULT_FEATURE_GROUPS,
  FEATURE_GROUPS,
  FeatureExtractor,
  type FeatureGroup,
  type TenantSeries,
} from './features.js';
import { ArchetypeStore, type RetrievalResult, type StoreEntry, type StoreIndexKind } from './store.js';

export const STORE_SET_FILE = 'store-set.json';
const STORE_SET_FORMAT = 'tsfm-archetype-store-set';
/** PRNG domain of the window draws ('ARCW'). */
const WINDOW_DOMAIN = 0x41524357;

/**
 * Up to two days: on a 1000-tenant fleet a 2-day history still matched 2-day windows better than
 * full fortnights (0.995 vs 0.982) and from 4 days on the two tie (0.998 vs 0.999), README.md.
 */
export const DEFAULT_STORE_WINDOWS: readonly number[] = [30, 60, 120, 240, 480, 1440, 2880];
export const DEFAULT_FULL_HISTORY_FROM_MINUTES = 4 * 1440;

export interface LabelledSeries {
  readonly id: string;
  readonly archetype: string;
  readonly tenant: TenantSeries;
}

export interface StoreSetOptions {
  /** Window lengths (minutes) to keep a store for (default DEFAULT_STORE_WINDOWS). */
  readonly windowMinutes?: readonly number[];
  /** Random windows per tenant in each window store (default 16). */
  readonly windowsPerTenant?: number;
  /** Seed of the window draws (default 0). */
  readonly seed?: number;
  readonly featureGroups?: readonly FeatureGroup[];
  readonly kind?: StoreIndexKind;
  readonly weighting?: 'fisher' | 'none';
  /** Histories at least this long are answered by the full-history store (default 4 days). */
  readonly fullHistoryFromMinutes?: number;
}

export interface SetRetrievalResult extends RetrievalResult {
  /** Window length of the store that answered; null for the full-history store. */
  readonly windowMinutes: number | null;
}

const setSchema = z
  .object({
    format: z.literal(STORE_SET_FORMAT),
    windowMinutes: z.array(z.number().int().positive()),
    fullHistoryFromMinutes: z.number().positive(),
  })
  .strict();

export class ArchetypeStoreSet {
  private readonly extractor: FeatureExtractor;
  private readonly features: Float32Array;

  private constructor(
    readonly full: ArchetypeStore,
    /** Window stores, ascending by length. */
    readonly windows: ReadonlyMap<number, ArchetypeStore>,
    readonly fullHistoryFromMinutes: number,
  ) {
    this.extractor = new FeatureExtractor(full.featureGroups);
    this.features = new Float32Array(this.extractor.dim);
  }

  /** Features of every tenant's full history and of random windows of it, one tenant at a time. */
  static build(tenants: Iterable<LabelledSeries>, options: StoreSetOptions = {}): ArchetypeStoreSet {
    const groups = FEATURE_GROUPS.filter((g) => (options.featureGroups ?? DEFAULT_FEATURE_GROUPS).includes(g));
    const lengths = [...new Set(options.windowMinutes ?? DEFAULT_STORE_WINDOWS)].sort((a, b) => a - b);
    for (const m of lengths)
      if (!Number.isInteger(m) || m <= 0)
        throw new RangeError(`window lengths must be positive whole minutes, got ${m}`);
    const perTenant = options.windowsPerTenant ?? 16;
    const extractor = new FeatureExtractor(groups);
    const full: StoreEntry[] = [];
    const windowEntries = lengths.map((): StoreEntry[] => []);
    let index = 0;
    for (const { id, archetype, tenant } of tenants) {
      const rng = new Rng(WINDOW_DOMAIN, options.seed ?? 0, index++, 0);
      full.push({ id, archetype, features: extractor.extract(tenant) });
      const length = historyPoints(tenant);
      lengths.forEach((minutes, w) => {
        const points = Math.round((minutes * 60_000) / tenant.stepMs);
        if (points > length) return; // this tenant is too short for that window
        for (let r = 0; r < perTenant; r++) {
          const end = points + rng.int(length - points + 1);
          windowEntries[w].push({
            id,
            archetype,
            features: extractor.extract(tenant, { from: end - points, to: end }),
          });
        }
      });
    }
    const storeOptions = {
      featureGroups: groups,
      ...(options.kind ? { kind: options.kind } : {}),
      ...(options.weighting ? { weighting: options.weighting } : {}),
    };
    const windows = new Map<number, ArchetypeStore>();
    lengths.forEach((minutes, w) => {
      if (windowEntries[w].length > 0)
        windows.set(minutes, ArchetypeStore.build(windowEntries[w], { ...storeOptions, windowMinutes: minutes }));
    });
    return new ArchetypeStoreSet(
      ArchetypeStore.build(full, storeOptions),
      windows,
      options.fullHistoryFromMinutes ?? DEFAULT_FULL_HISTORY_FROM_MINUTES,
    );
  }

  /**
   * The store for a history of `historyMinutes`, and the window (minutes) to compute the query
   * on; null for the full-history store (whole history) — also the answer for a history shorter
   * than every window, which is then compared as it is (features at such lengths are mostly
   * imputed, and the vote's confidence says so).
   */
  storeFor(historyMinutes: number): { store: ArchetypeStore; windowMinutes: number | null } {
    if (historyMinutes >= this.fullHistoryFromMinutes) return { store: this.full, windowMinutes: null };
    let best: [number, ArchetypeStore] | null = null;
    for (const entry of this.windows) if (entry[0] <= historyMinutes) best = entry;
    if (best) return { store: best[1], windowMinutes: best[0] };
    const shortest = this.windows.entries().next();
    return shortest.done
      ? { store: this.full, windowMinutes: null }
      : { store: shortest.value[1], windowMinutes: shortest.value[0] };
  }

  /** Neighbours and archetype vote for a tenant from the store that fits its history. */
  query(tenant: TenantSeries, k: number): SetRetrievalResult {
    const { store, windowMinutes, features } = this.featuresFor(tenant);
    return { ...store.query(features, k), windowMinutes };
  }

  /** Config prior (ArchetypeStore.configPrior) from the store that fits the tenant's history. */
  configPrior(tenant: TenantSeries, k: number): Map<string, number> {
    const { store, features } = this.featuresFor(tenant);
    return store.configPrior(features, k);
  }

  /** Records the winner in every member store (each holds every tenant). */
  recordWinner(tenantId: string, configKey: string): void {
    for (const store of this.members()) store.recordWinner(tenantId, configKey);
  }

  recordWinners(records: Iterable<{ tenantId: string; configKey: string }>): void {
    for (const r of records) this.recordWinner(r.tenantId, r.configKey);
  }

  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    this.full.save(join(dir, 'full'));
    for (const [minutes, store] of this.windows) store.save(join(dir, `w${minutes}`));
    const meta: z.infer<typeof setSchema> = {
      format: STORE_SET_FORMAT,
      windowMinutes: [...this.windows.keys()],
      fullHistoryFromMinutes: this.fullHistoryFromMinutes,
    };
    const path = join(dir, STORE_SET_FILE);
    const fd = openSync(`${path}.tmp`, 'w');
    try {
      writeSync(fd, `${JSON.stringify(meta)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${path}.tmp`, path);
  }

  static load(dir: string): ArchetypeStoreSet {
    const path = join(dir, STORE_SET_FILE);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ArchetypeStoreError(path, `cannot read as JSON (${(e as Error).message})`);
    }
    const parsed = setSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ArchetypeStoreError(path, issue.message, issue.path.map(String).join('.') || '(root)');
    }
    const full = ArchetypeStore.load(join(dir, 'full'));
    const windows = new Map<number, ArchetypeStore>();
    for (const minutes of [...parsed.data.windowMinutes].sort((a, b) => a - b)) {
      const store = ArchetypeStore.load(join(dir, `w${minutes}`));
      if (store.featureGroups.join() !== full.featureGroups.join()) {
        throw new ArchetypeStoreError(
          join(dir, `w${minutes}`, 'store.json'),
          `feature groups differ from full/ (${full.featureGroups.join(', ')})`,
          'featureGroups',
        );
      }
      windows.set(minutes, store);
    }
    return new ArchetypeStoreSet(full, windows, parsed.data.fullHistoryFromMinutes);
  }

  private *members(): Generator<ArchetypeStore> {
    yield this.full;
    yield* this.windows.values();
  }

  private featuresFor(tenant: TenantSeries): {
    store: ArchetypeStore;
    windowMinutes: number | null;
    features: Float32Array;
  } {
    const length = historyPoints(tenant);
    const { store, windowMinutes } = this.storeFor((length * tenant.stepMs) / 60_000);
    const points =
      windowMinutes === null ? length : Math.min(length, Math.round((windowMinutes * 60_000) / tenant.stepMs));
    this.extractor.extract(tenant, { from: length - points, to: length }, this.features);
    return { store, windowMinutes, features: this.features };
  }
}

function historyPoints(tenant: TenantSeries): number {
  let length = Infinity;
  for (const values of Object.values(tenant.metrics)) if (values.length < length) length = values.length;
  return length === Infinity ? 0 : length;
}
