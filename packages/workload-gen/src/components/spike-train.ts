/**
 * Poisson-timed spikes with exponential magnitudes and exponential decay.
 *
 * Arrivals are simulated in continuous time (exponential gaps at rate λ per day); an arrival
 * adds its magnitude at the first grid point at or after it, and every spike then decays by
 * exp(−step/τ) per step. The train is in units of the tenant's base level; each metric scales
 * it by its spike weight, so one train drives cpu and net together (shared spikes correlate
 * them, as in the cache-driven and news archetypes).
 */
import { detExp } from '../deterministic-math.js';
import type { Rng } from '../prng.js';

export interface SpikeTrainParams {
  readonly perDay: number;
  readonly magnitudeMean: number;
  readonly decayMinutes: number | null;
  readonly stepMinutes: number;
}

/** Fill `out[0..length)` with the spike train; returns how many spikes arrived. */
export function fillSpikeTrain(out: Float64Array, length: number, p: SpikeTrainParams, rng: Rng): number {
  if (!(p.perDay > 0) || !(p.magnitudeMean > 0) || p.decayMinutes === null) {
    out.fill(0, 0, length);
    return 0;
  }
  const meanGapMinutes = 1440 / p.perDay;
  const decay = detExp(-p.stepMinutes / p.decayMinutes);
  let nextArrival = rng.exponential(meanGapMinutes) - p.stepMinutes; // arrivals in (−step, 0] land on point 0
  let level = 0;
  let count = 0;
  for (let i = 0; i < length; i++) {
    level *= decay;
    const t = i * p.stepMinutes;
    while (nextArrival <= t) {
      level += rng.exponential(p.magnitudeMean);
      count++;
      nextArrival += rng.exponential(meanGapMinutes);
    }
    out[i] = level;
  }
  return count;
}
