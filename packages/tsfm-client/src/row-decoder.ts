/**
 * Model output → one row's quantile matrix at 1-minute steps.
 *
 * Order: read the row's coarse [steps × levels] block in LEVEL order through the manifest's
 * channel map (the place where an off-by-one would silently shift every quantile; pinned by a
 * test), combine with the flipped row, leave model space, clamp, fix crossings, repeat each
 * coarse step r times. Clamp and sort run on the coarse block: both commute with the increasing
 * de-normalisation and with repetition, so the result is identical and r times cheaper.
 */
import type { ForecastConfig } from './config.js';
import { combineFlipped } from './flip.js';
import type { ModelContract } from './manifest.js';
import type { Scaling } from './normalisation.js';
import { fixCrossing } from '@tsfm/numerics';
import { repeatCoarse } from './resolution.js';

/** Copy model row `m`'s first nSteps steps into out[nSteps × nLevels], level order. */
export function gatherRow(
  output: Float32Array,
  m: number,
  nSteps: number,
  contract: ModelContract,
  out: Float64Array,
): void {
  const { channels, horizon: H, outputChannels: Q } = contract;
  const K = channels.length;
  if (contract.layout === 'batch-horizon-quantile') {
    for (let j = 0; j < nSteps; j++) {
      const src = (m * H + j) * Q;
      for (let k = 0; k < K; k++) out[j * K + k] = output[src + channels[k]];
    }
  } else {
    for (let k = 0; k < K; k++) {
      const src = (m * Q + channels[k]) * H;
      for (let j = 0; j < nSteps; j++) out[j * K + k] = output[src + j];
    }
  }
}

export interface DecodeScratch {
  plus: Float64Array;
  minus: Float64Array;
}

/** Decode a request row from its plain model row `m` and, with flip, its negated row `mFlip`. */
export function decodeRow(
  output: Float32Array,
  m: number,
  mFlip: number,
  horizonMinutes: number,
  config: ForecastConfig,
  scaling: Scaling,
  contract: ModelContract,
  scratch: DecodeScratch,
): Float32Array {
  if (!config.fixCrossing) return decodeDirect(output, m, mFlip, horizonMinutes, config, scaling, contract);
  const r = config.resolutionMinutes;
  const nSteps = Math.ceil(horizonMinutes / r);
  const K = contract.channels.length;
  const n = nSteps * K;
  const { plus, minus } = scratch;
  gatherRow(output, m, nSteps, contract, plus);
  if (config.flip) {
    gatherRow(output, mFlip, nSteps, contract, minus);
    combineFlipped(plus, minus, nSteps, K, plus);
  }
  // Leave model space (g⁻¹(z · scale + shift)) and clamp in one pass; specialised on log1p
  // because expm1 costs more than the rest of the decode together.
  const scale = scaling.scale;
  const shift = scaling.shift;
  const clamp = config.clampNonNegative;
  if (scaling.log1p) {
    for (let i = 0; i < n; i++) {
      const v = Math.expm1(plus[i] * scale + shift);
      plus[i] = clamp && v < 0 ? 0 : v;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const v = plus[i] * scale + shift;
      plus[i] = clamp && v < 0 ? 0 : v;
    }
  }
  if (config.fixCrossing) fixCrossing(plus, nSteps, K);
  const quantiles = new Float32Array(horizonMinutes * K);
  repeatCoarse(plus, K, r, horizonMinutes, quantiles);
  return quantiles;
}

/**
 * decodeRow without the crossing fix, in one pass: each coarse value is gathered, combined with
 * its flipped partner, de-normalised and clamped with exactly decodeRow's float64 arithmetic, and
 * written straight to its r minutes. Without the sort nothing needs the coarse block as a whole,
 * so the four passes over scratch buffers collapse into one; the harness's rows (post-processing
 * off, applied per config later) all take this path.
 */
function decodeDirect(
  output: Float32Array,
  m: number,
  mFlip: number,
  horizonMinutes: number,
  config: ForecastConfig,
  scaling: Scaling,
  contract: ModelContract,
): Float32Array {
  const r = config.resolutionMinutes;
  const nSteps = Math.ceil(horizonMinutes / r);
  const { channels, horizon: H, outputChannels: Q } = contract;
  const K = channels.length;
  // Index of (row, step j, level k) in the output is row·rowStride + j·stepStride + channelStride·channels[k].
  const byStep = contract.layout === 'batch-horizon-quantile';
  const rowStride = H * Q;
  const stepStride = byStep ? Q : 1;
  const channelStride = byStep ? 1 : H;
  const flip = config.flip;
  const { scale, shift, log1p } = scaling;
  const clamp = config.clampNonNegative;
  const quantiles = new Float32Array(horizonMinutes * K);
  for (let j = 0; j < nSteps; j++) {
    const from = j * r;
    const to = Math.min(horizonMinutes, from + r);
    const plusBase = m * rowStride + j * stepStride;
    const minusBase = mFlip * rowStride + j * stepStride;
    for (let k = 0; k < K; k++) {
      let z = output[plusBase + channelStride * channels[k]];
      if (flip) z = 0.5 * (z - output[minusBase + channelStride * channels[K - 1 - k]]);
      const g = z * scale + shift;
      const v = log1p ? Math.expm1(g) : g;
      const value = clamp && v < 0 ? 0 : v;
      for (let i = from; i < to; i++) quantiles[i * K + k] = value;
    }
  }
  return quantiles;
}
