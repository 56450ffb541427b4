/**
 * AdamW over the flat parameter array, with global-norm gradient clipping. Decoupled weight decay
 * is applied to matrices only (biases would be pulled toward 0 for no regularisation benefit).
 */
import type { ParamBlock } from './params.js';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  clipNorm: number;
}

export const DEFAULT_ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4, clipNorm: 1 };

export class AdamW {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly decayMask: Uint8Array;
  private t = 0;

  constructor(
    size: number,
    blocks: readonly ParamBlock[],
    readonly options: AdamWOptions = DEFAULT_ADAMW,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.decayMask = new Uint8Array(size);
    for (const b of blocks) if (b.decay) this.decayMask.fill(1, b.offset, b.offset + b.dims.reduce((x, y) => x * y, 1));
  }

  /** One update; returns the gradient norm before clipping. */
  step(params: Float32Array, grads: Float32Array, lr: number): number {
    const { beta1, beta2, eps, weightDecay, clipNorm } = this.options;
    let sq = 0;
    for (let i = 0; i < grads.length; i++) sq += grads[i] * grads[i];
    const norm = Math.sqrt(sq);
    const clip = norm > clipNorm ? clipNorm / norm : 1;
    this.t++;
    const bc1 = 1 - Math.pow(beta1, this.t),
      bc2 = 1 - Math.pow(beta2, this.t);
    const m = this.m,
      v = this.v,
      dm = this.decayMask;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i] * clip;
      const mi = (m[i] = beta1 * m[i] + (1 - beta1) * g);
      const vi = (v[i] = beta2 * v[i] + (1 - beta2) * g * g);
      let p = params[i];
      if (dm[i] === 1) p -= lr * weightDecay * p;
      params[i] = p - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
    }
    return norm;
  }
}
