/**
 * Raised-cosine diurnal multiplier, tabulated per minute of the local day.
 *
 * A table (1440 entries, built once per tenant with the deterministic cosine) replaces a cos per
 * point: 43,200 points per tenant-month would otherwise each pay for a cosine.
 */
import { detCos } from '../deterministic-math.js';

export const MINUTES_PER_DAY = 1440;

/** multiplier(m) = 1 + amp·(1 + cos(2π(m/60 − peakHour)/24))/2 for local minute m of the day. */
export function diurnalTable(amp: number, peakHour: number): Float64Array {
  const table = new Float64Array(MINUTES_PER_DAY);
  for (let m = 0; m < MINUTES_PER_DAY; m++) {
    const phase = (2 * Math.PI * (m / 60 - peakHour)) / 24;
    table[m] = 1 + (amp * (1 + detCos(phase))) / 2;
  }
  return table;
}
