/**
 * Usage series dominated by step-to-step noise: the shape of NAB's CPU-utilization metrics, where
 * the 0.2.0 model's 80 % interval covers only 51–68 % of actuals.
 *
 * Why it exists: on v2-val's NAB part those series have both tails too narrow (21–25 % of actuals
 * below the 0.1 quantile, 13–18 % above the 0.9 quantile), and their differences are nearly white
 * (lag-1 autocorrelation of the differences ≈ −0.5, difference std ≈ 1.2–1.5 × the series' std):
 * the metric jitters around a level far more than it follows a curve, sometimes between two values
 * only (`ec2_cpu_utilization_24ae8d` alternates 0.066 / 0.134). The other families carry smooth
 * or AR noise well below the signal, so the model learned narrow intervals. Here a calendar or
 * seasonal base curve carries i.i.d. noise 0.5–5 × its own spread — Gaussian, heavy-tailed
 * (Laplace), or two-level flips — optionally rounded to a coarse grid (what a sampled gauge
 * reports) and clamped at 0. Pure in (seed, index, length) like every pool family.
 */
import { calendarCorpusSeries } from '@tsfm/workload-gen';
import { Rng } from '../rng.js';
import { seasonalCorpusSeries } from './seasonal-corpus.js';

/** Stream offset so this family's draws never replay another family's stream for an index. */
const NOISY_STREAM_SALT = 0x2b_9e_41_c3;

export type NoiseShape = 'gaussian' | 'laplace' | 'two-level';

function noiseShapeOf(u: number): NoiseShape {
  return u < 0.4 ? 'gaussian' : u < 0.7 ? 'laplace' : 'two-level';
}

/** Mean and population std over the observed (non-NaN) points. */
function moments(x: Float32Array): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const v of x) {
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
    sq += v * v;
  }
  const mean = n > 0 ? sum / n : 0;
  return { mean, std: n > 0 ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0 };
}

export function noisyCorpusSeries(seed: number, index: number, length: number): Float32Array {
  const rng = new Rng(seed ^ NOISY_STREAM_SALT, index);
  const base = rng.next() < 0.6 ? calendarCorpusSeries(seed, index, length) : seasonalCorpusSeries(seed, index, length);
  const { mean, std } = moments(base);
  const spread = std > 0 ? std : Math.abs(mean) * 0.1 || 1;
  // Noise 0.5–5 × the signal's spread (log-uniform): the jitter dominates the curve.
  const sigma = spread * Math.exp(Math.log(0.5) + rng.next() * Math.log(10));
  const shape = noiseShapeOf(rng.next());
  // Two-level flips: the metric sits at the curve or one gap above it, the upper state with probability p.
  const upper = 0.2 + rng.next() * 0.6;
  const grid = rng.next() < 0.5 ? sigma * (0.05 + rng.next() * 0.45) : 0;
  const nonNegative = rng.next() < 0.7;
  const scale = Math.exp(rng.normal() * 2);
  const out = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    const b = base[t];
    if (Number.isNaN(b)) {
      out[t] = Number.NaN;
      continue;
    }
    let e: number;
    if (shape === 'gaussian') e = sigma * rng.normal();
    else if (shape === 'laplace') {
      // Inverse CDF of a Laplace with std sigma (scale sigma/√2).
      const u = rng.next() - 0.5;
      e = -(sigma / Math.SQRT2) * Math.sign(u) * Math.log(1 - 2 * Math.abs(u) + 1e-12);
    } else e = rng.next() < upper ? 2 * sigma : 0;
    let v = b + e;
    if (grid > 0) v = Math.round(v / grid) * grid;
    if (nonNegative && v < 0) v = 0;
    out[t] = v * scale;
  }
  return out;
}
