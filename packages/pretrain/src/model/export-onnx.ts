/**
 * Builds the ONNX graph that computes forward.ts + denormalise exactly, from a ModelConfig and a
 * flat parameter array. Opset 17 / IR 8 (onnxruntime ≥ 1.14 loads it). Reductions over the
 * context are written as MatMul with a ones vector rather than ReduceSum, whose `axes` moved from
 * attribute to input across opsets; MatMul means the same thing in every opset.
 */
import { GraphBuilder, type ModelOptions } from '../onnx/index.js';
import {
  medianIndex,
  quantileMixMatrix,
  SCALE_EPS_ABS,
  SCALE_EPS_REL,
  validateConfig,
  type ModelConfig,
} from './config.js';
import { viewParams } from './params.js';

export const INPUT_NAME = 'context';
export const MASK_NAME = 'mask';
export const OUTPUT_NAME = 'quantiles';
export const OPSET = 17;
export const IR_VERSION = 8;

export function buildOnnxModel(config: ModelConfig, params: Float32Array, options: ModelOptions = {}): Uint8Array {
  validateConfig(config);
  const p = viewParams(config, params);
  const C = config.context,
    H = config.hidden,
    Hz = config.horizon,
    Q = config.levels.length;
  const nP = C / config.maskPool,
    m = medianIndex(config);
  const g = new GraphBuilder('tsfm_mlp_quantile');

  const ctx = g.addInput(INPUT_NAME, ['batch', C]);
  const mask = g.addInput(MASK_NAME, ['batch', C]);
  const scalar = (v: number): string => g.addInitializer(new Float32Array([v]), [1]);

  // Instance normalisation with masked statistics.
  const ones = g.addInitializer(new Float32Array(C).fill(1), [C, 1], 'ones_context');
  const count = g.addNode('MatMul', [mask, ones]);
  const countSafe = g.addNode('Max', [count, scalar(1)]);
  const sum = g.addNode('MatMul', [g.addNode('Mul', [ctx, mask]), ones]);
  const mean = g.addNode('Div', [sum, countSafe], {}, 'norm_mean');
  const centred = g.addNode('Mul', [g.addNode('Sub', [ctx, mean]), mask]);
  const ss = g.addNode('MatMul', [g.addNode('Mul', [centred, centred]), ones]);
  const std = g.addNode('Sqrt', [g.addNode('Div', [ss, countSafe])]);
  const floor = g.addNode('Mul', [g.addNode('Abs', [mean]), scalar(SCALE_EPS_REL)]);
  const scale = g.addNode('Add', [g.addNode('Add', [std, floor]), scalar(SCALE_EPS_ABS)], {}, 'norm_scale');
  const z = g.addNode('Div', [centred, scale], {}, 'z');

  // Pooled mask: tells the trunk where the observed history starts.
  const pool = new Float32Array(C * nP);
  for (let i = 0; i < C; i++) pool[i * nP + Math.floor(i / config.maskPool)] = 1 / config.maskPool;
  const mp = g.addNode('MatMul', [mask, g.addInitializer(pool, [C, nP], 'mask_pool')]);

  const W1z = g.addInitializer(p.W1z, [C, H], 'W1z');
  const W1m = g.addInitializer(p.W1m, [nP, H], 'W1m');
  const b1 = g.addInitializer(p.b1, [H], 'b1');
  let h = g.addNode(
    'Relu',
    [g.addNode('Add', [g.addNode('Gemm', [z, W1z, b1]), g.addNode('MatMul', [mp, W1m])])],
    {},
    'h0',
  );
  p.blocks.forEach((blk, i) => {
    const Wa = g.addInitializer(blk.Wa, [H, H], `block${i}_Wa`);
    const ba = g.addInitializer(blk.ba, [H], `block${i}_ba`);
    const Wb = g.addInitializer(blk.Wb, [H, H], `block${i}_Wb`);
    const bb = g.addInitializer(blk.bb, [H], `block${i}_bb`);
    const u = g.addNode('Relu', [g.addNode('Gemm', [h, Wa, ba])]);
    h = g.addNode('Add', [h, g.addNode('Gemm', [u, Wb, bb])], {}, `h${i + 1}`);
  });

  const o = g.addNode('Gemm', [h, g.addInitializer(p.Wh, [H, Hz * Q], 'Wh'), g.addInitializer(p.bh, [Hz * Q], 'bh')]);
  const o3 = g.addNode('Reshape', [o, g.addInt64Initializer([-1, Hz, Q])]);
  const skip = g.addNode('MatMul', [z, g.addInitializer(p.Ws, [C, Hz], 'Ws')]);
  const skip3 = g.addNode('Reshape', [skip, g.addInt64Initializer([-1, Hz, 1])]);

  // v = median channel: o + skip; other channels: softplus(o). Selected with constant 0/1 masks.
  const isMed = new Float32Array(Q);
  isMed[m] = 1;
  const notMed = isMed.map((x) => 1 - x);
  const eMed = g.addInitializer(isMed, [Q], 'is_median');
  const eInc = g.addInitializer(notMed, [Q], 'is_increment');
  const v = g.addNode('Add', [
    g.addNode('Add', [g.addNode('Mul', [o3, eMed]), g.addNode('Mul', [g.addNode('Softplus', [o3]), eInc])]),
    g.addNode('Mul', [skip3, eMed]),
  ]);
  const A = quantileMixMatrix(config);
  const At = new Float32Array(Q * Q);
  for (let k = 0; k < Q; k++) for (let j = 0; j < Q; j++) At[j * Q + k] = A[k * Q + j];
  const qn = g.addNode('MatMul', [v, g.addInitializer(At, [Q, Q], 'quantile_mix')], {}, 'quantiles_normalised');

  const shape3 = g.addInt64Initializer([-1, 1, 1]);
  const out = g.addNode(
    'Add',
    [g.addNode('Mul', [qn, g.addNode('Reshape', [scale, shape3])]), g.addNode('Reshape', [mean, shape3])],
    {},
    OUTPUT_NAME,
  );
  g.addOutput(out, ['batch', Hz, Q]);
  return g.toBytes({ irVersion: IR_VERSION, opset: OPSET, ...options });
}
