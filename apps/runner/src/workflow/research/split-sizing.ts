/**
 * How big must the search split be for its noise to be known and small? Answered from experiments
 * a run already scored: their metrics.json list every request's losses (tenant, origin, one loss
 * per metric), so any smaller split — the first T tenants at their first O origins — can be scored
 * again without running the model, and its two intervals computed exactly as the runner does
 * (bootstrap.ts, a cluster bootstrap over tenants):
 *
 * - the metric's own half-width (`95% CI ±…` next to every result): how much the number moves
 *   with which tenants were drawn;
 * - the paired half-width of candidate − reference (the keep rule's interval, relative to the
 *   reference's metric as in keep-rule.ts): the noise a keep decision has to see past.
 *
 * Both shrink like 1/√(requests) when the per-request spread dominates, so a half-width h measured
 * at n requests projects to n·(h/target)² requests for a target half-width (`requestsFor`); the
 * table shows how well that holds over the sizes it can measure. scripts/size-split.ts prints it
 * for a workdir (apps/runner/README.md, "Sizing the search split").
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { sortedQuantile } from '@tsfm/numerics';
import { parseJsonText } from '../../workdir/file-errors.js';
import { differenceInterval, metricInterval, relativeHalfWidth, unitsMetric, type Unit } from './bootstrap.js';

export const RequestLossesSchema = z.looseObject({
  tenantId: z.string().min(1),
  origin: z.number(),
  losses: z.array(z.number().refine(Number.isFinite, 'expected a finite loss')).min(1),
});

export type RequestLosses = z.infer<typeof RequestLossesSchema>;

/** One scored experiment: its id and every request's losses, in the order the evaluator ran them. */
export interface ScoredRequests {
  readonly id: string;
  readonly requests: readonly RequestLosses[];
  /** The job's wall seconds after start-up and its CPU seconds, where metrics.json has them. */
  readonly elapsedS?: number;
  readonly cpuS?: number;
}

const MetricsFileSchema = z.looseObject({
  mode: z.string(),
  elapsedS: z.number().optional(),
  cpuS: z.number().optional(),
  requests: z.array(RequestLossesSchema),
});

export interface SplitSize {
  readonly tenants: number;
  readonly origins: number;
}

export interface SizingRow extends SplitSize {
  readonly requests: number;
  /** Median over the experiments of the metric's relative 95% half-width. */
  readonly metricHalfWidth: number;
  /** The paired relative 95% half-width of each candidate − reference, summarised over candidates. */
  readonly paired: { readonly median: number; readonly min: number; readonly max: number; readonly count: number };
}

/**
 * Per tenant, the sums of its losses at its first `origins` origins (in the order they were
 * evaluated), for the first `tenants` tenants. Undefined when the requests hold fewer tenants, or
 * a chosen tenant fewer origins: a smaller split than asked for would be mislabelled.
 */
export function subsetUnits(requests: readonly RequestLosses[], size: SplitSize): Unit[] | undefined {
  const byTenant = new Map<string, RequestLosses[]>();
  for (const request of requests) {
    const list = byTenant.get(request.tenantId) ?? [];
    if (list.length === 0) byTenant.set(request.tenantId, list);
    if (!list.some((earlier) => earlier.origin === request.origin)) list.push(request);
  }
  const chosen = [...byTenant.entries()].slice(0, size.tenants);
  if (chosen.length < size.tenants || chosen.some(([, list]) => list.length < size.origins)) return undefined;
  return chosen.map(([id, list]) => {
    let lossSum = 0;
    let lossCount = 0;
    for (const request of list.slice(0, size.origins)) {
      for (const loss of request.losses) lossSum += loss;
      lossCount += request.losses.length;
    }
    return { id, lossSum, lossCount };
  });
}

/** The largest split every experiment holds: its tenants and, for each of them, its origins. */
export function largestSize(runs: readonly ScoredRequests[]): SplitSize {
  let tenants = Infinity;
  let origins = Infinity;
  for (const run of runs) {
    const perTenant = new Map<string, Set<number>>();
    for (const request of run.requests) {
      const set = perTenant.get(request.tenantId) ?? new Set<number>();
      set.add(request.origin);
      perTenant.set(request.tenantId, set);
    }
    tenants = Math.min(tenants, perTenant.size);
    for (const set of perTenant.values()) origins = Math.min(origins, set.size);
  }
  return Number.isFinite(tenants) && Number.isFinite(origins) ? { tenants, origins } : { tenants: 0, origins: 0 };
}

/** Sizes to tabulate up to `largest`: tenant counts halving down from it (at least 4), × every origin count. */
export function defaultSizes(largest: SplitSize): SplitSize[] {
  const tenantCounts: number[] = [];
  for (let t = largest.tenants; t >= 4; t = Math.floor(t / 2)) tenantCounts.unshift(t);
  const sizes: SplitSize[] = [];
  for (const tenants of tenantCounts)
    for (let origins = 1; origins <= largest.origins; origins++) sizes.push({ tenants, origins });
  return sizes;
}

/**
 * One row per size: the metric's half-width (median over the reference and the candidates) and
 * the paired half-width of every candidate against the reference, scored on that subset. Sizes
 * some experiment cannot fill are left out.
 */
export function sizingTable(
  reference: ScoredRequests,
  candidates: readonly ScoredRequests[],
  sizes: readonly SplitSize[],
): SizingRow[] {
  const rows: SizingRow[] = [];
  for (const size of sizes) {
    const referenceUnits = subsetUnits(reference.requests, size);
    const candidateUnits = candidates.map((candidate) => subsetUnits(candidate.requests, size));
    if (!referenceUnits || candidateUnits.some((units) => units === undefined)) continue;
    const all = [referenceUnits, ...(candidateUnits as Unit[][])];
    const metricHalfWidths = all.map((units) => relativeHalfWidth(metricInterval(units), unitsMetric(units)));
    const scale = Math.abs(unitsMetric(referenceUnits) || 1);
    const paired = (candidateUnits as Unit[][]).map((units) => {
      const difference = differenceInterval(units, referenceUnits);
      return (difference.hi - difference.lo) / 2 / scale;
    });
    rows.push({
      ...size,
      requests: size.tenants * size.origins,
      metricHalfWidth: median(metricHalfWidths),
      paired: {
        median: median(paired),
        min: paired.length === 0 ? NaN : Math.min(...paired),
        max: paired.length === 0 ? NaN : Math.max(...paired),
        count: paired.length,
      },
    });
  }
  return rows;
}

/** Requests a half-width `halfWidth` measured at `requests` requests projects to for `target` (∝ 1/√n). */
export function requestsFor(halfWidth: number, requests: number, target: number): number {
  if (!(target > 0)) throw new RangeError(`target must be > 0, got ${target}`);
  return Math.ceil(requests * (halfWidth / target) ** 2);
}

/** NaN for none. */
function median(values: readonly number[]): number {
  return sortedQuantile(Float64Array.from(values).sort(), 0.5);
}

/**
 * The search-mode experiments of a workdir with per-request detail: runs/<id>/metrics.json, or
 * runs/<id>/confirmation/metrics.json for the confirmation split, in id order. best-fixed and
 * oracle are references, never keep-rule candidates, and are left out; so is a run without a file.
 */
export async function readScoredRuns(workdir: string, split: 'search' | 'confirmation'): Promise<ScoredRequests[]> {
  const runs: ScoredRequests[] = [];
  for (const id of (await readdir(join(workdir, 'runs'))).sort()) {
    const file = join(workdir, 'runs', id, ...(split === 'confirmation' ? ['confirmation'] : []), 'metrics.json');
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) continue;
    const metrics = parseJsonText(text, MetricsFileSchema, file);
    if (metrics.mode !== 'search') continue;
    runs.push({ id, requests: metrics.requests, elapsedS: metrics.elapsedS, cpuS: metrics.cpuS });
  }
  return runs;
}

/** The median per-request seconds of the runs that measured `field`; undefined when none did. */
export function secondsPerRequest(runs: readonly ScoredRequests[], field: 'elapsedS' | 'cpuS'): number | undefined {
  const rates = runs.flatMap((run) => {
    const seconds = run[field];
    return seconds === undefined || run.requests.length === 0 ? [] : [seconds / run.requests.length];
  });
  return rates.length === 0 ? undefined : median(rates);
}

/**
 * The sizing table as markdown, with what the largest measured size projects to for `target`
 * (requestsFor) and, where the runs measured them, the seconds that would take.
 */
export function sizingReport(reference: ScoredRequests, candidates: readonly ScoredRequests[], target: number): string {
  const runs = [reference, ...candidates];
  const largest = largestSize(runs);
  const rows = sizingTable(reference, candidates, defaultSizes(largest));
  const wall = secondsPerRequest(runs, 'elapsedS');
  const cpu = secondsPerRequest(runs, 'cpuS');
  const pct = (x: number) => `±${(x * 100).toFixed(2)}%`;
  const lines = [
    `${runs.length} search experiments (reference ${reference.id}, ${candidates.length} paired against it), at most ${largest.tenants} tenants × ${largest.origins} origins`,
    `seconds per request (median over experiments, whole evaluation): wall ${wall?.toFixed(4) ?? '—'} after start-up, CPU ${cpu?.toFixed(4) ?? '— (no cpuS in metrics.json)'} with start-up`,
    '',
    `| tenants × origins | requests | metric 95% CI (median) | paired 95% CI vs ${reference.id}: median (min – max) | requests for ±${(target * 100).toFixed(2)}% paired |`,
    '|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.tenants} × ${row.origins} | ${row.requests} | ${pct(row.metricHalfWidth)} | ${pct(row.paired.median)} (${pct(row.paired.min)} – ${pct(row.paired.max)}) | ${Number.isFinite(row.paired.median) ? requestsFor(row.paired.median, row.requests, target) : '—'} |`,
    ),
  ];
  const full = rows.at(-1);
  if (full && Number.isFinite(full.paired.median)) {
    const paired = requestsFor(full.paired.median, full.requests, target);
    const metric = requestsFor(full.metricHalfWidth, full.requests, target);
    const cost = (requests: number) => (cpu === undefined ? '' : ` (≈ ${(requests * cpu).toFixed(0)} CPU-s)`);
    lines.push(
      '',
      `At ${full.tenants} × ${full.origins}: metric ${pct(full.metricHalfWidth)}, paired ${pct(full.paired.median)} (median of ${full.paired.count}). ` +
        `±${(target * 100).toFixed(2)}% projects to ${paired} requests for the paired interval${cost(paired)} and ${metric} for the metric's own${cost(metric)}.`,
    );
  }
  return lines.join('\n') + '\n';
}
