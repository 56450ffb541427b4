/**
 * A fleet: `tenants` tenants on one grid, drawn from a seed. Generation streams tenant by
 * tenant, so a 1000-tenant month never sits in memory whole.
 */
import { DAY_MS, MINUTE_MS } from '@tsfm/numerics';
import { assertFleetSeed, FLEET_DOMAIN } from './seed-domains.js';
import { TenantGenerator, type GeneratedTenant } from './tenant-generator.js';
import { drawTenantParams, type TenantParams } from './tenant-params.js';

export interface FleetOptions {
  /** Integer in [0, CORPUS_SEED_BASE). */
  readonly seed: number;
  readonly tenants: number;
  /** Epoch ms (UTC) of the first point. */
  readonly start: number;
  readonly stepMs: number;
  /** Points per series. */
  readonly length: number;
  /** Offsets (minutes east of UTC) tenants draw their local time from. Default [0]: all UTC. */
  readonly utcOffsetsMinutes?: readonly number[];
}

/** The usual way to say it: N tenants, D days from a date, a step in minutes. */
export function fleetOptions(o: {
  seed: number;
  tenants: number;
  days: number;
  start?: number;
  stepMinutes?: number;
  utcOffsetsMinutes?: readonly number[];
}): FleetOptions {
  const stepMinutes = o.stepMinutes ?? 1;
  const length = (o.days * DAY_MS) / (stepMinutes * MINUTE_MS);
  if (!Number.isInteger(length)) {
    throw new RangeError(`${o.days} days is not a whole number of ${stepMinutes}-minute steps`);
  }
  return {
    seed: o.seed,
    tenants: o.tenants,
    start: o.start ?? Date.UTC(2024, 0, 1),
    stepMs: stepMinutes * MINUTE_MS,
    length,
    ...(o.utcOffsetsMinutes ? { utcOffsetsMinutes: o.utcOffsetsMinutes } : {}),
  };
}

export function validateFleetOptions(o: FleetOptions): void {
  assertFleetSeed(o.seed);
  if (!Number.isInteger(o.tenants) || o.tenants < 0)
    throw new RangeError(`tenants must be a non-negative integer, got ${o.tenants}`);
  if (!Number.isInteger(o.length) || o.length < 1)
    throw new RangeError(`length must be a positive integer, got ${o.length}`);
  if (!Number.isInteger(o.stepMs) || o.stepMs < 1)
    throw new RangeError(`stepMs must be a positive integer, got ${o.stepMs}`);
  if (!Number.isSafeInteger(o.start)) throw new RangeError(`start must be integer epoch ms, got ${o.start}`);
  for (const off of o.utcOffsetsMinutes ?? [0]) {
    if (!Number.isInteger(off) || Math.abs(off) > 14 * 60)
      throw new RangeError(`UTC offset must be whole minutes within ±14 h, got ${off}`);
  }
  if (o.utcOffsetsMinutes && o.utcOffsetsMinutes.length === 0)
    throw new RangeError('utcOffsetsMinutes must not be empty');
}

/** Every tenant's parameters, without generating any series (cheap). */
export function fleetTenantParams(o: FleetOptions): TenantParams[] {
  validateFleetOptions(o);
  const draw = o.utcOffsetsMinutes ? { utcOffsetsMinutes: o.utcOffsetsMinutes } : {};
  return Array.from({ length: o.tenants }, (_, i) => drawTenantParams(o.seed, i, draw));
}

/** Tenants [from, to) of the fleet, one at a time, in index order. */
export function* generateFleet(
  o: FleetOptions,
  range: { from?: number; to?: number } = {},
): Generator<GeneratedTenant> {
  validateFleetOptions(o);
  const from = range.from ?? 0;
  const to = Math.min(range.to ?? o.tenants, o.tenants);
  const generator = new TenantGenerator({ start: o.start, stepMs: o.stepMs, length: o.length });
  const draw = o.utcOffsetsMinutes ? { utcOffsetsMinutes: o.utcOffsetsMinutes } : {};
  for (let i = from; i < to; i++) {
    yield generator.generate(drawTenantParams(o.seed, i, draw), { domain: FLEET_DOMAIN, seed: o.seed, index: i });
  }
}
