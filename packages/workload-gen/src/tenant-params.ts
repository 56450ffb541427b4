/**
 * Drawing one tenant's parameters: archetype, tier, and a uniform draw from every range of its
 * archetype. The result is the tenant's manifest entry, and the ONLY input series generation
 * needs besides the grid and the random streams — so a manifest fully describes its fleet.
 */
import { ARCHETYPES, ARCHETYPE_NAMES, type ArchetypeName, type Range } from './archetypes.js';
import { hashWords } from '@tsfm/numerics';
import { Rng } from './prng.js';
import { FLEET_DOMAIN } from './seed-domains.js';
import { TIER_NAMES, TIER_ALPHA, TIER_SHARE, type Tier } from './tiers.js';
import type { MetricName } from './series.js';

export interface TenantParams {
  readonly id: string;
  /** Position in the fleet; with the fleet seed it keys the tenant's random streams. */
  readonly index: number;
  readonly archetype: ArchetypeName;
  readonly tier: Tier;
  readonly alpha: number;
  /** Local time = UTC + this offset; diurnal peaks, business hours and weekends are local. */
  readonly utcOffsetMinutes: number;
  /** Relative amplitude of the raised-cosine diurnal cycle (0 when the archetype has none). */
  readonly diurnalAmp: number;
  /** Local hour (fractional) of the diurnal peak; null when there is no cosine cycle. */
  readonly peakHour: number | null;
  /** b2b-saas style mask: multiplier inHours during [startHour, endHour) on weekdays, else offHours. */
  readonly businessHours: {
    readonly startHour: number;
    readonly endHour: number;
    readonly inHours: number;
    readonly offHours: number;
  } | null;
  readonly weeklyAmp: number;
  readonly noiseSigma: number;
  readonly arPhi: number;
  readonly spikesPerDay: number;
  readonly spikeMagMean: number;
  readonly spikeDecayMinutes: number | null;
  readonly base: Readonly<Record<MetricName, number>>;
  readonly cpuNetRho: number;
  readonly spikeWeight: Readonly<Record<MetricName, number>>;
}

export interface TenantDrawOptions {
  /** Offsets (minutes east of UTC) a tenant draws its local time from, uniformly. Default [0]. */
  readonly utcOffsetsMinutes?: readonly number[];
}

/** Stream ids within a tenant's key; fixed forever, or existing seeds change meaning. */
export const STREAM = {
  params: 0,
  sharedNoise: 1,
  cpuNoise: 2,
  netNoise: 3,
  memNoise: 4,
  diskNoise: 5,
  spikes: 6,
} as const;

export function tenantId(index: number): string {
  return `t${String(index).padStart(4, '0')}`;
}

/**
 * Tenant `index` of fleet `seed`. Independent of the fleet size, so tenant 7 is the same tenant
 * in a 10-tenant and a 1000-tenant fleet with the same seed.
 *
 * Archetype and tier come from two Weyl (additive-recurrence) sequences with seed-derived
 * offsets, u_i = frac(offset + i·c) with c = frac(golden ratio) resp. frac(√2): every prefix of
 * the fleet matches the shares within a tenant or two — 1000 tenants hold 250 blogs and 50
 * compute-heavy ones, not 50 ± 7 — while which tenant gets what still depends on the seed.
 */
export function drawTenantParams(seed: number, index: number, options: TenantDrawOptions = {}): TenantParams {
  return drawTenantParamsInDomain(FLEET_DOMAIN, seed, index, options);
}

/** As drawTenantParams, in a given seed domain (the corpus draws archetype samples too). */
export function drawTenantParamsInDomain(
  domain: number,
  seed: number,
  index: number,
  options: TenantDrawOptions = {},
): TenantParams {
  const archetype = pickByShare(
    ARCHETYPE_NAMES,
    (n) => ARCHETYPES[n].share,
    weyl(hashWords(domain, seed, 0x41524348), 0x9e3779b9, index),
  );
  const tier = pickByShare(
    TIER_NAMES,
    (t) => TIER_SHARE[t],
    weyl(hashWords(domain, seed, 0x54494552), 0x6a09e667, index),
  );
  const spec = ARCHETYPES[archetype];
  const rng = new Rng(domain, seed, index, STREAM.params);
  // A fixed range still consumes its draw, so turning a range into a constant (or back) does not
  // shift every later draw of the tenant.
  const draw = (r: Range): number => (r[0] === r[1] ? (rng.uniform(), r[0]) : rng.between(r[0], r[1]));

  // The draw order below is part of the format: append new draws at the end only.
  const offsets = options.utcOffsetsMinutes ?? [0];
  const utcOffsetMinutes = offsets[rng.int(offsets.length)];
  const daily = spec.daily;
  const diurnalAmp = daily.kind === 'cosine' ? draw(daily.amp) : (rng.uniform(), 0);
  const peakHour = daily.kind === 'cosine' ? draw(daily.peakHour) : (rng.uniform(), null);
  const weeklyAmp = draw(spec.weeklyAmp);
  const noiseSigma = draw(spec.noiseSigma);
  const arPhi = draw(spec.arPhi);
  const spikesPerDay = draw(spec.spikesPerDay);
  const spikeMagMean = draw(spec.spikeMagMean);
  const base = {
    cpu: draw(spec.base.cpu),
    mem: draw(spec.base.mem),
    net: draw(spec.base.net),
    disk: draw(spec.base.disk),
  };
  const cpuNetRho = draw(spec.cpuNetRho);

  return {
    id: tenantId(index),
    index,
    archetype,
    tier,
    alpha: TIER_ALPHA[tier],
    utcOffsetMinutes,
    diurnalAmp,
    peakHour,
    businessHours:
      daily.kind === 'business-hours'
        ? { startHour: daily.startHour, endHour: daily.endHour, inHours: daily.inHours, offHours: daily.offHours }
        : null,
    weeklyAmp,
    noiseSigma,
    arPhi,
    spikesPerDay,
    spikeMagMean,
    spikeDecayMinutes: spec.spikeDecayMinutes,
    base,
    cpuNetRho,
    spikeWeight: { ...spec.spikeWeight },
  };
}

/** frac(offset/2^32 + index·c/2^32) in exact 32-bit integer arithmetic. */
function weyl(offset: number, increment: number, index: number): number {
  return ((offset + Math.imul(index >>> 0, increment)) >>> 0) / 4294967296;
}

function pickByShare<T>(items: readonly T[], share: (item: T) => number, u: number): T {
  let cumulative = 0;
  for (const item of items) {
    cumulative += share(item);
    if (u < cumulative) return item;
  }
  return items[items.length - 1]; // shares sum to 1 up to rounding
}
