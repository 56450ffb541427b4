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
  /** The coarse block [steps × levels], float64: at least horizon × levels values. */
  coarse: Float64Array;
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
  const r = config.resolutionMinutes;
  const nSteps = Math.ceil(horizonMinutes / r);
  const K = contract.channels.length;
  const coarse = scratch.coarse;
  coarseValues(output, m, mFlip, nSteps, config, scaling, contract, coarse);
  if (config.fixCrossing) fixCrossing(coarse, nSteps, K);
  const quantiles = new Float32Array(horizonMinutes * K);
  repeatCoarse(coarse, K, r, horizonMinutes, quantiles);
  return quantiles;
}

/**
 * The row's coarse values [nSteps × levels] in one pass: each value is gathered, combined with
 * its flipped partner (flip.ts's combineFlipped arithmetic), taken out of model space
 * (g⁻¹(z · scale + shift)) and clamped, in float64. One pass instead of gather, combine and
 * de-normalise passes over scratch buffers; the crossing fix, when on, sorts the block after.
 */
function coarseValues(
  output: Float32Array,
  m: number,
  mFlip: number,
  nSteps: number,
  config: ForecastConfig,
  scaling: Scaling,
  contract: ModelContract,
  out: Float64Array,
): void {
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
  for (let j = 0; j < nSteps; j++) {
    const plusBase = m * rowStride + j * stepStride;
    const minusBase = mFlip * rowStride + j * stepStride;
    for (let k = 0; k < K; k++) {
      let z = output[plusBase + channelStride * channels[k]];
      if (flip) z = 0.5 * (z - output[minusBase + channelStride * channels[K - 1 - k]]);
      const g = z * scale + shift;
      const v = log1p ? Math.expm1(g) : g;
      out[j * K + k] = clamp && v < 0 ? 0 : v;
    }
  }
}
