/**
 * Usage series that fall to zero: the shapes NAB's CloudWatch metrics have and the other pool
 * families almost never produce.
 *
 * Why it exists: on v2-val's NAB part the 0.2.0 model's lower tail is far too narrow — 10.8 % of
 * actuals fall below its 1 % quantile (model card § Calibration per level) — mostly on
 * `ec2_disk_write_bytes` (zero most of the time, with bursts) and on CPU series that drop to ≈ 0
 * when an instance idles or restarts. A model that never saw a usage metric hit zero cannot put
 * quantile mass there. Three mechanisms, each on a non-negative base usage curve:
 *  - `outages`: a handful of episodes (1 step to a few hours) where the metric sits at 0 or at an
 *    idle floor — restarts, deploys, scale-to-zero;
 *  - `on-off`: a two-state Markov chain, off = 0 — batch jobs and bursty writers whose runs and
 *    gaps both persist;
 *  - `sparse`: independent zero inflation, each step non-zero with a small probability — request
 *    counters of a rarely used endpoint.
 * The base curve is a calendar-true or seasonal-family series shifted to be non-negative, so the
 * drops sit on top of the daily and weekly cycles the model already learns. Pure in
 * (seed, index, length) like every pool family.
 */
import { calendarCorpusSeries } from '@tsfm/workload-gen';
import { Rng } from '../rng.js';
import { seasonalCorpusSeries } from './seasonal-corpus.js';

/** Stream offset so this family's draws never replay the seasonal family's stream for an index. */
const DROPS_STREAM_SALT = 0x5d_0f_2a_71;

export type DropsMechanism = 'outages' | 'on-off' | 'sparse';

/** Non-negative base usage: the series shifted so its minimum sits at a random idle floor. */
function baseUsage(rng: Rng, seed: number, index: number, length: number): Float64Array {
  const raw = rng.next() < 0.6 ? calendarCorpusSeries(seed, index, length) : seasonalCorpusSeries(seed, index, length);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < length; t++) {
    const v = raw[t];
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = Number.isFinite(hi - lo) && hi > lo ? hi - lo : 1;
  // Most usage metrics never rest at exactly 0 while the tenant is up: a floor of 0–30 % of the range.
  const floor = rng.next() * 0.3 * range;
  const out = new Float64Array(length);
  for (let t = 0; t < length; t++) out[t] = Number.isNaN(raw[t]) ? Number.NaN : raw[t] - lo + floor;
  return out;
}

/** The mechanism for a series: outages 45 %, on-off 35 %, sparse 20 %. */
function mechanismOf(u: number): DropsMechanism {
  return u < 0.45 ? 'outages' : u < 0.8 ? 'on-off' : 'sparse';
}

/** 1 where the metric is down (0 or the idle floor), 0 where it follows the base curve. */
function downMask(rng: Rng, mechanism: DropsMechanism, length: number): Uint8Array {
  const down = new Uint8Array(length);
  if (mechanism === 'outages') {
    const episodes = rng.int(1, 6);
    for (let e = 0; e < episodes; e++) {
      const start = rng.int(0, length - 1);
      // Log-uniform 1 … 240 steps: single missed scrapes up to multi-hour downtimes.
      const duration = Math.max(1, Math.round(Math.exp(rng.next() * Math.log(240))));
      for (let t = start; t < Math.min(length, start + duration); t++) down[t] = 1;
    }
  } else if (mechanism === 'on-off') {
    // Mean run lengths 5–100 steps on and 2–50 off, so both states show up inside a 512 context.
    const offAfterOn = 1 / (5 + rng.next() * 95);
    const onAfterOff = 1 / (2 + rng.next() * 48);
    let off = rng.next() < 0.5;
    for (let t = 0; t < length; t++) {
      down[t] = off ? 1 : 0;
      off = off ? rng.next() >= onAfterOff : rng.next() < offAfterOn;
    }
  } else {
    const busy = 0.02 + rng.next() * 0.35;
    for (let t = 0; t < length; t++) down[t] = rng.next() < busy ? 0 : 1;
  }
  return down;
}

export function dropsCorpusSeries(seed: number, index: number, length: number): Float32Array {
  const rng = new Rng(seed ^ DROPS_STREAM_SALT, index);
  const base = baseUsage(rng, seed, index, length);
  const mechanism = mechanismOf(rng.next());
  const down = downMask(rng, mechanism, length);
  // Down means exactly 0 (scale-to-zero, a counter with no events) or a low idle level with noise.
  const exactZero = mechanism !== 'outages' || rng.next() < 0.6;
  let mean = 0;
  let n = 0;
  for (let t = 0; t < length; t++) {
    if (!Number.isNaN(base[t])) {
      mean += base[t];
      n++;
    }
  }
  mean = n > 0 ? mean / n : 1;
  const idle = rng.next() * 0.05 * mean;
  // Bursts of a sparse counter vary more than a running service's level.
  const jitter = mechanism === 'sparse' ? 0.6 : 0.1;
  const scale = Math.exp(rng.normal() * 2);
  const out = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    let v: number;
    if (Number.isNaN(base[t])) v = Number.NaN;
    else if (down[t]) v = exactZero ? 0 : idle * Math.exp(0.3 * rng.normal());
    else v = base[t] * Math.exp(jitter * rng.normal());
    out[t] = v * scale;
  }
  return out;
}
