// Shared helpers for the workload-generator tests: find tenants of an archetype in a seeded
// fleet (parameter draws are cheap), generate them on a grid, and small statistics.
import { DAY_MS, MINUTE_MS } from '@tsfm/numerics';
import { createHash } from 'node:crypto';
import type { ArchetypeName } from '../src/archetypes.js';
import { FLEET_DOMAIN } from '../src/seed-domains.js';
import { TenantGenerator, type GeneratedTenant } from '../src/tenant-generator.js';
import { drawTenantParams, type TenantParams } from '../src/tenant-params.js';

export const SEED = 42;

export function gridOf(days: number, start = Date.UTC(2024, 0, 1), stepMinutes = 1) {
  return { start, stepMs: stepMinutes * MINUTE_MS, length: (days * DAY_MS) / (stepMinutes * MINUTE_MS) };
}

/** Parameters of the first `count` tenants of `archetype` in fleet SEED. */
export function paramsOf(archetype: ArchetypeName, count: number, seed = SEED): TenantParams[] {
  const out: TenantParams[] = [];
  for (let i = 0; out.length < count && i < 100_000; i++) {
    const p = drawTenantParams(seed, i);
    if (p.archetype === archetype) out.push(p);
  }
  return out;
}

export function generate(params: TenantParams, days: number, start?: number, seed = SEED): GeneratedTenant {
  return new TenantGenerator(gridOf(days, start)).generate(params, { domain: FLEET_DOMAIN, seed, index: params.index });
}

export function mean(xs: ArrayLike<number>, keep: (i: number) => boolean = () => true): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    if (keep(i)) {
      s += xs[i];
      n++;
    }
  }
  return s / n;
}

export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function sha256(...arrays: ArrayBufferView[]): string {
  const h = createHash('sha256');
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
}

/** Hour of day (UTC, fractional) of point i on a grid starting at midnight with 1-minute steps. */
export function hourOf(i: number): number {
  return (i % 1440) / 60;
}
