/**
 * Traces for the replay: the synthetic fleet (streamed one tenant at a time) and the NAB
 * series, as ReplayTenants. The last `days` of every trace are replayed; everything before is
 * history the policies may read (VPA's histogram, crane's 7 days, the forecaster's context).
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TIERS, type Tier } from '@tsfm/losses';
import { loadTimestampValueCsv, readFleet } from '@tsfm/workload-gen';
import type { ReplayTenant } from '../simulator/index.js';

export interface CostSetting {
  /** Cost of a unit of idle capacity per minute. */
  readonly over: number;
  /** Fixed cost of unserved demand per minute; undefined = from each tenant's tier α. */
  readonly under: number | undefined;
}

/** The tenant's α and costs: its tier's α and the matching ratio, or one ratio for all. */
export function pricing(tier: Tier, costs: CostSetting): { alpha: number; costs: { under: number; over: number } } {
  if (costs.under !== undefined)
    return { alpha: costs.under / (costs.under + costs.over), costs: { under: costs.under, over: costs.over } };
  const alpha = TIERS[tier];
  // α = cUnder / (cUnder + cOver)  ⇔  cUnder = cOver · α / (1 − α).
  return { alpha, costs: { under: (costs.over * alpha) / (1 - alpha), over: costs.over } };
}

function replayStartFor(length: number, stepMinutes: number, days: number, id: string): number {
  const steps = Math.round((days * 1440) / stepMinutes);
  const start = length - steps;
  const day = Math.round(1440 / stepMinutes);
  if (start < day) {
    throw new Error(
      `${id}: ${length} steps of ${stepMinutes} min is too short to replay ${days} days after at least one day of history`,
    );
  }
  return start;
}

/**
 * The first `perTier` items of every tier (in stream order), interleaved tier by tier
 * (premium, standard, basic, premium, …) so that any prefix — the α sweep's tenants — covers
 * every tier. Stops reading once every tier is full; a tier the stream runs out of stays short.
 */
export async function firstPerTier<T>(
  items: AsyncIterable<T> | Iterable<T>,
  tierOf: (item: T) => Tier,
  perTier: number,
): Promise<T[]> {
  const order = Object.keys(TIERS) as Tier[];
  const byTier = new Map<Tier, T[]>(order.map((t) => [t, []]));
  for await (const item of items) {
    const tier = tierOf(item);
    const mine = byTier.get(tier);
    if (mine === undefined) throw new Error(`unknown tier '${tier}'`);
    if (mine.length < perTier) mine.push(item);
    if (order.every((t) => (byTier.get(t) ?? []).length >= perTier)) break;
  }
  const out: T[] = [];
  for (let i = 0; i < perTier; i++) {
    for (const t of order) {
      const item = byTier.get(t)?.[i];
      if (item !== undefined) out.push(item);
    }
  }
  return out;
}

export async function* fleetTenants(
  dir: string,
  options: {
    tenants: number;
    /** Instead of the first `tenants`: the first `perTier` of each tier, interleaved (firstPerTier). */
    perTier?: number;
    metrics: readonly string[];
    days: number;
    costs: CostSetting;
  },
): AsyncGenerator<ReplayTenant> {
  const source =
    options.perTier === undefined
      ? readFleet(dir)
      : await firstPerTier(readFleet(dir), (t) => t.params.tier, options.perTier);
  let k = 0;
  for await (const tenant of source) {
    if (options.perTier === undefined && k++ >= options.tenants) return;
    const stepMinutes = tenant.stepMs / 60_000;
    const { alpha, costs } = pricing(tenant.params.tier, options.costs);
    for (const metric of options.metrics) {
      const demand = tenant.metrics[metric];
      if (demand === undefined)
        throw new Error(
          `fleet ${dir}: tenant ${tenant.id} has no metric '${metric}' (has ${Object.keys(tenant.metrics).join(', ')})`,
        );
      const id = `${tenant.id}/${metric}`;
      yield {
        id,
        demand,
        replayStart: replayStartFor(demand.length, stepMinutes, options.days, id),
        stepMinutes,
        alpha,
        tier: tenant.params.tier,
        costs,
      };
    }
  }
}

export async function nabTenants(
  dir: string,
  options: { tier: Tier; days: number; costs: CostSetting },
): Promise<ReplayTenant[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.csv')).sort();
  if (files.length === 0) throw new Error(`${dir}: no .csv files (NAB timestamp,value series expected)`);
  const { alpha, costs } = pricing(options.tier, options.costs);
  const tenants: ReplayTenant[] = [];
  for (const file of files) {
    const series = await loadTimestampValueCsv(join(dir, file));
    const stepMinutes = series.stepMs / 60_000;
    if (!Number.isInteger(stepMinutes) || 1440 % stepMinutes !== 0)
      throw new Error(`${file}: step ${series.stepMs} ms is not a whole number of minutes dividing a day`);
    const id = `nab/${basename(file, '.csv')}`;
    tenants.push({
      id,
      demand: series.values,
      replayStart: replayStartFor(series.values.length, stepMinutes, options.days, id),
      stepMinutes,
      alpha,
      tier: options.tier,
      costs,
    });
  }
  return tenants;
}
