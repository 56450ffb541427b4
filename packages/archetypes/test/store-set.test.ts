import { rmSync } from 'node:fs';
import { fleetOptions, generateFleet } from '@tsfm/workload-gen';
import { describe, expect, it } from 'vitest';
import {
  ArchetypeStoreSet,
  DEFAULT_FULL_HISTORY_FROM_MINUTES,
  type LabelledSeries,
  type TenantSeries,
} from '../src/index.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const fleet: LabelledSeries[] = [...generateFleet(fleetOptions({ seed: 5, tenants: 24, days: 3 }))].map((t) => ({
  id: t.id,
  archetype: t.params.archetype,
  tenant: t,
}));
const set = ArchetypeStoreSet.build(fleet, {
  windowMinutes: [120, 30],
  windowsPerTenant: 4,
  seed: 1,
  fullHistoryFromMinutes: 2 * 1440,
});

/** The last `minutes` of a tenant, as a tenant of its own (a cold-start request's history). */
function lastMinutes(t: TenantSeries, minutes: number): TenantSeries {
  const metrics = Object.fromEntries(Object.entries(t.metrics).map(([m, v]) => [m, v.slice(v.length - minutes)]));
  return { start: t.start + (Object.values(t.metrics)[0].length - minutes) * t.stepMs, stepMs: t.stepMs, metrics };
}

describe('ArchetypeStoreSet', () => {
  it('keeps a full-history store and one window store per length, ascending', () => {
    expect(set.full.size).toBe(24);
    expect([...set.windows.keys()]).toEqual([30, 120]);
    expect(set.windows.get(120)!.size).toBe(24 * 4);
    expect(set.windows.get(120)!.windowMinutes).toBe(120);
  });

  it('answers from the longest window a history covers, the full store from the set threshold on', () => {
    expect(set.storeFor(20).windowMinutes).toBe(30); // shorter than every window: the shortest
    expect(set.storeFor(30).windowMinutes).toBe(30);
    expect(set.storeFor(119).windowMinutes).toBe(30);
    expect(set.storeFor(600).windowMinutes).toBe(120);
    expect(set.storeFor(2 * 1440).windowMinutes).toBeNull();
    expect(DEFAULT_FULL_HISTORY_FROM_MINUTES).toBe(4 * 1440);
  });

  it('queries a 2-hour history against 2-hour windows and a 3-day one against full histories', () => {
    const short = set.query(lastMinutes(fleet[3].tenant, 150), 5);
    expect(short.windowMinutes).toBe(120);
    expect(short.neighbours).toHaveLength(5);
    const long = set.query(fleet[3].tenant, 1);
    expect(long.windowMinutes).toBeNull();
    expect(long.neighbours[0].id).toBe(fleet[3].id); // a stored tenant finds itself
  });

  it('records winners in every member, so short and long histories both get a prior', () => {
    const local = ArchetypeStoreSet.build(fleet.slice(0, 6), {
      windowMinutes: [60],
      windowsPerTenant: 2,
      fullHistoryFromMinutes: 2 * 1440,
    });
    local.recordWinners(fleet.slice(0, 6).map((t) => ({ tenantId: t.id, configKey: 'ctx512' })));
    expect(local.configPrior(lastMinutes(fleet[0].tenant, 90), 3).get('ctx512')).toBe(1);
    expect(local.configPrior(fleet[0].tenant, 3).get('ctx512')).toBe(1);
  });

  it('saves and loads to a set that answers identically', () => {
    const dir = tempDir('store-set-');
    set.save(dir);
    const loaded = ArchetypeStoreSet.load(dir);
    for (const minutes of [45, 300, 3 * 1440]) {
      const query = lastMinutes(fleet[7].tenant, minutes);
      expect(loaded.query(query, 5)).toEqual(set.query(query, 5));
    }
    rmSync(dir, { recursive: true });
  });
});
