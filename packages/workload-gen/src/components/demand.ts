/**
 * The shared demand multiplier of a tenant: diurnal cycle × weekly cycle × business-hours mask,
 * evaluated from the real local calendar date of every timestamp.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from '@tsfm/numerics';
import { isWeekend, msOfDay, weekdayOf } from '../calendar.js';
import type { TenantParams } from '../tenant-params.js';
import { diurnalTable } from './diurnal.js';

export interface Grid {
  readonly start: number;
  readonly stepMs: number;
  readonly length: number;
}

type DemandParams = Pick<TenantParams, 'utcOffsetMinutes' | 'diurnalAmp' | 'peakHour' | 'weeklyAmp' | 'businessHours'>;

/**
 * Write the demand multiplier of every grid point into `out` (length ≥ grid.length).
 *
 * The calendar position is advanced incrementally (ms into the local day, weekday) instead of
 * re-deriving it with divisions at every point; the weekday still comes from the real date of
 * the first point, and a day rollover moves it to the next real weekday.
 */
export function fillDemand(out: Float64Array, params: DemandParams, grid: Grid): void {
  if (grid.length === 0) return;
  const daily = params.peakHour === null ? null : diurnalTable(params.diurnalAmp, params.peakHour);
  const weekendFactor = 1 - params.weeklyAmp;
  const bh = params.businessHours;
  const bhStart = bh ? bh.startHour * HOUR_MS : 0;
  const bhEnd = bh ? bh.endHour * HOUR_MS : 0;
  const first = grid.start + params.utcOffsetMinutes * MINUTE_MS;
  let inDay = msOfDay(first);
  let weekday = weekdayOf(first);
  const step = grid.stepMs;
  for (let i = 0; i < grid.length; i++) {
    const weekend = isWeekend(weekday);
    let m = daily === null ? 1 : daily[Math.floor(inDay / MINUTE_MS)];
    if (weekend) m *= weekendFactor;
    if (bh) m *= !weekend && inDay >= bhStart && inDay < bhEnd ? bh.inHours : bh.offHours;
    out[i] = m;
    inDay += step;
    while (inDay >= DAY_MS) {
      inDay -= DAY_MS;
      weekday = weekday === 6 ? 0 : weekday + 1;
    }
  }
}
