/**
 * What an experiment evaluates: a tenant with its metrics on one grid, its tier's α and (for the
 * fleet) its true archetype. Fleet tenants, NAB files and user CSVs all become this shape.
 */
import { basename } from 'node:path';
import { TIERS, type Tier } from '@tsfm/losses';
import { loadTimestampValueCsv, readFleet, readManifest } from '@tsfm/workload-gen';

export interface EvalTenant {
  readonly id: string;
  readonly start: number;
  /** The series' real step (ms). The harness is always handed its native step as "one minute". */
  readonly stepMs: number;
  readonly metrics: Readonly<Record<string, Float32Array>>;
  readonly metricNames: readonly string[];
  readonly tier: Tier | null;
  readonly alpha: number;
  readonly archetype: string | null;
}

export function seriesLength(t: EvalTenant): number {
  return t.metrics[t.metricNames[0]].length;
}

export interface FleetInfo {
  readonly dir: string;
  readonly ids: readonly string[];
  readonly tenantCount: number;
  readonly length: number;
  readonly stepMs: number;
  readonly seed: number;
  readonly start: string;
  readonly tierOf: ReadonlyMap<string, Tier>;
  readonly archetypeOf: ReadonlyMap<string, string>;
}

export async function fleetInfo(dir: string): Promise<FleetInfo> {
  const m = await readManifest(dir);
  return {
    dir,
    ids: m.tenants.map((t) => t.id),
    tenantCount: m.tenantCount,
    length: m.length,
    stepMs: m.stepMs,
    seed: m.seed,
    start: m.start,
    tierOf: new Map(m.tenants.map((t) => [t.id, t.tier])),
    archetypeOf: new Map(m.tenants.map((t) => [t.id, t.archetype])),
  };
}

/**
 * The fleet's tenants in manifest order, only those in `ids` (all when omitted). The reader
 * streams one Arrow batch at a time, so memory holds one tenant plus what the caller keeps.
 */
export async function* readFleetTenants(dir: string, ids?: ReadonlySet<string>): AsyncGenerator<EvalTenant> {
  for await (const t of readFleet(dir)) {
    if (ids !== undefined && !ids.has(t.id)) continue;
    yield {
      id: t.id,
      start: t.start,
      stepMs: t.stepMs,
      metrics: t.metrics,
      metricNames: Object.keys(t.metrics),
      tier: t.params.tier,
      alpha: TIERS[t.params.tier],
      archetype: t.params.archetype,
    };
  }
}

/** The metric name of a single-series tenant (a NAB file or a `timestamp,value` CSV). */
export const SERIES_METRIC = 'value';

/** A `timestamp,value` CSV as a single-metric tenant, id = file name without `.csv`. */
export async function readSeriesTenant(path: string, alpha: number): Promise<EvalTenant> {
  const s = await loadTimestampValueCsv(path);
  return {
    id: basename(path).replace(/\.csv$/i, ''),
    start: s.start,
    stepMs: s.stepMs,
    metrics: { [SERIES_METRIC]: s.values },
    metricNames: [SERIES_METRIC],
    tier: null,
    alpha,
    archetype: null,
  };
}
