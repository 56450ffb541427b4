/**
 * The TypeScript reference forward pass and its hand-written backward pass. The ONNX graph in
 * export-onnx.ts computes exactly this function (checked against onnxruntime in the tests).
 *
 *   mean, scale  = masked mean / std of the context (instance normalisation)
 *   z            = mask · (context − mean) / scale
 *   h0           = relu(z·W1z + pool(mask)·W1m + b1)
 *   h_{i+1}      = h_i + relu(h_i·Wa + ba)·Wb + bb                  (residual blocks)
 *   o            = h_L·Wh + bh                        → [horizon, Q]
 *   v            = median channel: o + z·Ws;  other channels: softplus(o)
 *   qn           = v·Aᵀ  (median ± cumulative non-negative increments: quantiles never cross)
 *   quantiles    = qn · scale + mean
 *
 * Training loss is taken on qn (the normalised scale), so gradients never pass through mean/scale.
 */
import { medianIndex, quantileMixMatrix, SCALE_EPS_ABS, SCALE_EPS_REL, type ModelConfig } from './config.js';
import { linearBackwardInput, linearBackwardWeights, linearForward, type FloatArray } from './linalg.js';
import type { ParamViews } from './params.js';

type Ctor<A extends FloatArray> = new (n: number) => A;

/** Activations kept for the backward pass; allocated once per maximum batch size. */
export class Workspace<A extends FloatArray> {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  readonly z: A;
  readonly mp: A;
  readonly a1: A;
  /** hs[i] is the trunk state entering block i; hs[blocks] feeds the head. */
  readonly hs: A[];
  /** Block pre-activations. */
  readonly ua: A[];
  readonly u: A[];
  readonly o: A;
  readonly skip: A;
  readonly qn: A;
  // Gradient scratch.
  readonly dqn: A;
  readonly dO: A;
  readonly dSkip: A;
  readonly dh: A;
  readonly dTmp: A;
  readonly dU: A;

  constructor(
    readonly config: ModelConfig,
    readonly maxBatch: number,
    ctor: Ctor<A>,
  ) {
    const B = maxBatch,
      C = config.context,
      H = config.hidden,
      O = config.horizon * config.levels.length;
    this.mean = new Float64Array(B);
    this.scale = new Float64Array(B);
    this.z = new ctor(B * C);
    this.mp = new ctor(B * (C / config.maskPool));
    this.a1 = new ctor(B * H);
    this.hs = Array.from({ length: config.blocks + 1 }, () => new ctor(B * H));
    this.ua = Array.from({ length: config.blocks }, () => new ctor(B * H));
    this.u = Array.from({ length: config.blocks }, () => new ctor(B * H));
    this.o = new ctor(B * O);
    this.skip = new ctor(B * config.horizon);
    this.qn = new ctor(B * O);
    this.dqn = new ctor(B * O);
    this.dO = new ctor(B * O);
    this.dSkip = new ctor(B * config.horizon);
    this.dh = new ctor(B * H);
    this.dTmp = new ctor(B * H);
    this.dU = new ctor(B * H);
  }
}

export const TARGET_CLIP = 100;

export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Masked mean and scale per row, z and the pooled mask. */
export function normaliseInputs<A extends FloatArray>(
  config: ModelConfig,
  context: FloatArray,
  mask: FloatArray,
  rows: number,
  ws: Workspace<A>,
): void {
  const C = config.context,
    P = config.maskPool,
    nP = C / P;
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let n = 0,
      s = 0;
    for (let i = 0; i < C; i++) {
      n += mask[o + i];
      s += mask[o + i] * context[o + i];
    }
    const nc = Math.max(n, 1);
    const mean = s / nc;
    let ss = 0;
    for (let i = 0; i < C; i++) {
      const d = (context[o + i] - mean) * mask[o + i];
      ss += d * d;
    }
    const scale = Math.sqrt(ss / nc) + SCALE_EPS_REL * Math.abs(mean) + SCALE_EPS_ABS;
    ws.mean[r] = mean;
    ws.scale[r] = scale;
    for (let i = 0; i < C; i++) ws.z[o + i] = ((context[o + i] - mean) * mask[o + i]) / scale;
    for (let p = 0; p < nP; p++) {
      let a = 0;
      for (let i = 0; i < P; i++) a += mask[o + p * P + i];
      ws.mp[r * nP + p] = a / P;
    }
  }
}

/** Forward pass; leaves qn (normalised quantiles, [rows, horizon, Q]) in ws.qn. */
export function forward<A extends FloatArray>(
  config: ModelConfig,
  p: ParamViews<A>,
  context: FloatArray,
  mask: FloatArray,
  rows: number,
  ws: Workspace<A>,
): void {
  if (rows > ws.maxBatch) throw new Error(`batch ${rows} exceeds workspace capacity ${ws.maxBatch}`);
  const C = config.context,
    H = config.hidden,
    Hz = config.horizon,
    Q = config.levels.length,
    O = Hz * Q;
  const nP = C / config.maskPool;
  normaliseInputs(config, context, mask, rows, ws);
  linearForward(ws.z, rows, C, p.W1z, p.b1, H, ws.a1);
  // Second input projection is accumulated into a1 through the scratch buffer.
  linearForward(ws.mp, rows, nP, p.W1m, null, H, ws.dTmp);
  const h0 = ws.hs[0];
  for (let i = 0; i < rows * H; i++) {
    const a = ws.a1[i] + ws.dTmp[i];
    ws.a1[i] = a;
    h0[i] = a > 0 ? a : 0;
  }
  for (let b = 0; b < config.blocks; b++) {
    const blk = p.blocks[b],
      hIn = ws.hs[b],
      hOut = ws.hs[b + 1],
      ua = ws.ua[b],
      u = ws.u[b];
    linearForward(hIn, rows, H, blk.Wa, blk.ba, H, ua);
    for (let i = 0; i < rows * H; i++) u[i] = ua[i] > 0 ? ua[i] : 0;
    linearForward(u, rows, H, blk.Wb, blk.bb, H, hOut);
    for (let i = 0; i < rows * H; i++) hOut[i] += hIn[i];
  }
  linearForward(ws.hs[config.blocks], rows, H, p.Wh, p.bh, O, ws.o);
  linearForward(ws.z, rows, C, p.Ws, null, Hz, ws.skip);
  mixQuantiles(config, ws, rows);
}

function mixQuantiles<A extends FloatArray>(config: ModelConfig, ws: Workspace<A>, rows: number): void {
  const Hz = config.horizon,
    Q = config.levels.length,
    m = medianIndex(config);
  const o = ws.o,
    qn = ws.qn;
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < Hz; t++) {
      const base = (r * Hz + t) * Q;
      const med = o[base + m] + ws.skip[r * Hz + t];
      qn[base + m] = med;
      let acc = med;
      for (let k = m - 1; k >= 0; k--) {
        acc -= softplus(o[base + k]);
        qn[base + k] = acc;
      }
      acc = med;
      for (let k = m + 1; k < Q; k++) {
        acc += softplus(o[base + k]);
        qn[base + k] = acc;
      }
    }
  }
}

/** De-normalised quantiles [rows, horizon, Q] from the last forward pass. */
export function denormalise<A extends FloatArray>(
  config: ModelConfig,
  ws: Workspace<A>,
  rows: number,
  out: FloatArray,
): void {
  const per = config.horizon * config.levels.length;
  for (let r = 0; r < rows; r++) {
    const s = ws.scale[r],
      mu = ws.mean[r];
    for (let i = 0; i < per; i++) out[r * per + i] = ws.qn[r * per + i] * s + mu;
  }
}

/**
 * Backward pass from ws.dqn (dLoss/dqn, [rows, horizon, Q]) into grads (accumulated, so worker
 * shards and micro-batches can sum into one buffer). Requires the forward pass on the same batch.
 */
export function backward<A extends FloatArray>(
  config: ModelConfig,
  p: ParamViews<A>,
  g: ParamViews<A>,
  rows: number,
  ws: Workspace<A>,
): void {
  const C = config.context,
    H = config.hidden,
    Hz = config.horizon,
    Q = config.levels.length,
    O = Hz * Q;
  const nP = C / config.maskPool,
    m = medianIndex(config);
  const A = quantileMixMatrix(config);
  // dv = dqn · A, then through softplus (off-median) or straight through (median, and skip).
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < Hz; t++) {
      const base = (r * Hz + t) * Q;
      for (let j = 0; j < Q; j++) {
        let dv = 0;
        for (let k = 0; k < Q; k++) dv += ws.dqn[base + k] * A[k * Q + j];
        if (j === m) {
          ws.dO[base + j] = dv;
          ws.dSkip[r * Hz + t] = dv;
        } else {
          ws.dO[base + j] = dv * sigmoid(ws.o[base + j]);
        }
      }
    }
  }
  linearBackwardWeights(ws.z, rows, C, ws.dSkip, Hz, g.Ws, null);
  const hL = ws.hs[config.blocks];
  linearBackwardWeights(hL, rows, H, ws.dO, O, g.Wh, g.bh);
  linearBackwardInput(ws.dO, rows, O, p.Wh, H, ws.dh);
  for (let b = config.blocks - 1; b >= 0; b--) {
    const blk = p.blocks[b],
      gb = g.blocks[b];
    // h_{b+1} = h_b + u·Wb + bb, u = relu(h_b·Wa + ba)
    linearBackwardWeights(ws.u[b], rows, H, ws.dh, H, gb.Wb, gb.bb);
    linearBackwardInput(ws.dh, rows, H, blk.Wb, H, ws.dU);
    const ua = ws.ua[b];
    for (let i = 0; i < rows * H; i++) if (!(ua[i] > 0)) ws.dU[i] = 0;
    linearBackwardWeights(ws.hs[b], rows, H, ws.dU, H, gb.Wa, gb.ba);
    linearBackwardInput(ws.dU, rows, H, blk.Wa, H, ws.dTmp);
    for (let i = 0; i < rows * H; i++) ws.dh[i] += ws.dTmp[i];
  }
  for (let i = 0; i < rows * H; i++) if (!(ws.a1[i] > 0)) ws.dh[i] = 0;
  linearBackwardWeights(ws.z, rows, C, ws.dh, H, g.W1z, g.b1);
  linearBackwardWeights(ws.mp, rows, nP, ws.dh, H, g.W1m, null);
}

/**
 * Pinball loss averaged over rows × horizon × levels on the normalised scale; writes dLoss/dqn to
 * ws.dqn. Targets are raw values; they are normalised with the row's context statistics here.
 * NaN targets are skipped (and excluded from the average).
 */
export function pinballLossAndGrad<A extends FloatArray>(
  config: ModelConfig,
  target: FloatArray,
  rows: number,
  ws: Workspace<A>,
): number {
  const Hz = config.horizon,
    Q = config.levels.length,
    lv = config.levels;
  let count = 0;
  for (let i = 0; i < rows * Hz; i++) if (!Number.isNaN(target[i])) count++;
  const inv = count > 0 ? 1 / (count * Q) : 0;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const mu = ws.mean[r],
      s = ws.scale[r];
    for (let t = 0; t < Hz; t++) {
      const y = target[r * Hz + t];
      const base = (r * Hz + t) * Q;
      if (Number.isNaN(y)) {
        for (let k = 0; k < Q; k++) ws.dqn[base + k] = 0;
        continue;
      }
      // A target more than TARGET_CLIP context-scales away (e.g. a flat context, then activity)
      // cannot be forecast from the context; clipping keeps such rows from dominating the mean
      // loss while the gradient (bounded by construction) is unchanged for any sane prediction.
      const yn = Math.max(-TARGET_CLIP, Math.min(TARGET_CLIP, (y - mu) / s));
      for (let k = 0; k < Q; k++) {
        const d = yn - ws.qn[base + k];
        const a = lv[k];
        if (d >= 0) {
          loss += a * d;
          ws.dqn[base + k] = -a * inv;
        } else {
          loss -= (1 - a) * d;
          ws.dqn[base + k] = (1 - a) * inv;
        }
      }
    }
  }
  return loss * inv;
}
