/**
 * All parameters live in ONE flat array so Adam, gradient all-reduce across worker threads and
 * serialisation are single loops over memory; named views into it are what the layers use.
 */
import type { FloatArray } from './linalg.js';
import { medianIndex, type ModelConfig } from './config.js';
import { normalQuantile } from '@tsfm/numerics';
import { Rng } from '../rng.js';

export interface BlockViews<A extends FloatArray> {
  Wa: A;
  ba: A;
  Wb: A;
  bb: A;
}

export interface ParamViews<A extends FloatArray> {
  /** [context, hidden]: normalised values → trunk. */
  W1z: A;
  /** [context / maskPool, hidden]: pooled mask → trunk. */
  W1m: A;
  b1: A;
  blocks: BlockViews<A>[];
  /** [hidden, horizon × Q] head; per step the Q values are [increments below, median, increments above]. */
  Wh: A;
  bh: A;
  /** [context, horizon]: linear skip from normalised input to the median (DLinear-style). */
  Ws: A;
}

export interface ParamBlock {
  name: string;
  offset: number;
  dims: number[];
  /** Weight decay applies to matrices, not biases. */
  decay: boolean;
}

export function paramLayout(c: ModelConfig): { blocks: ParamBlock[]; size: number } {
  const H = c.hidden,
    C = c.context,
    P = c.context / c.maskPool,
    O = c.horizon * c.levels.length;
  const blocks: ParamBlock[] = [];
  let offset = 0;
  const add = (name: string, dims: number[], decay: boolean): void => {
    blocks.push({ name, offset, dims, decay });
    offset += dims.reduce((a, b) => a * b, 1);
  };
  add('W1z', [C, H], true);
  add('W1m', [P, H], true);
  add('b1', [H], false);
  for (let i = 0; i < c.blocks; i++) {
    add(`block${i}.Wa`, [H, H], true);
    add(`block${i}.ba`, [H], false);
    add(`block${i}.Wb`, [H, H], true);
    add(`block${i}.bb`, [H], false);
  }
  add('Wh', [H, O], true);
  add('bh', [O], false);
  add('Ws', [C, c.horizon], true);
  return { blocks, size: offset };
}

export function paramCount(c: ModelConfig): number {
  return paramLayout(c).size;
}

export function viewParams<A extends FloatArray>(c: ModelConfig, flat: A): ParamViews<A> {
  const { blocks, size } = paramLayout(c);
  if (flat.length !== size) throw new Error(`parameter array has ${flat.length} values, layout needs ${size}`);
  const v = new Map<string, A>();
  for (const b of blocks) v.set(b.name, flat.subarray(b.offset, b.offset + b.dims.reduce((x, y) => x * y, 1)) as A);
  const get = (n: string): A => v.get(n)!;
  return {
    W1z: get('W1z'),
    W1m: get('W1m'),
    b1: get('b1'),
    blocks: Array.from({ length: c.blocks }, (_, i) => ({
      Wa: get(`block${i}.Wa`),
      ba: get(`block${i}.ba`),
      Wb: get(`block${i}.Wb`),
      bb: get(`block${i}.bb`),
    })),
    Wh: get('Wh'),
    bh: get('bh'),
    Ws: get('Ws'),
  };
}

/** Inverse of softplus, for initialising increment biases to a chosen spacing. */
function softplusInverse(y: number): number {
  return y > 20 ? y : Math.log(Math.expm1(y));
}

/**
 * Seeded initialisation: He-normal for layers followed by ReLU, small output projections in the
 * residual blocks (each block starts near identity), a near-zero head whose increment biases
 * already space the quantiles like a unit Gaussian — so step 0 predicts "median 0, spread ≈ the
 * context's std", a sane prior on the normalised scale.
 */
export function initParams(c: ModelConfig, seed: number): Float32Array {
  const { size } = paramLayout(c);
  const flat = new Float32Array(size);
  const p = viewParams(c, flat);
  const rng = new Rng(seed, 7);
  const fill = (a: Float32Array, std: number): void => {
    for (let i = 0; i < a.length; i++) a[i] = rng.normal() * std;
  };
  const H = c.hidden;
  fill(p.W1z, Math.sqrt(2 / c.context));
  fill(p.W1m, Math.sqrt(2 / (c.context / c.maskPool)) * 0.5);
  for (const b of p.blocks) {
    fill(b.Wa, Math.sqrt(2 / H));
    fill(b.Wb, 0.1 / Math.sqrt(H));
  }
  fill(p.Wh, 0.01 / Math.sqrt(H));
  const Q = c.levels.length,
    m = medianIndex(c);
  for (let t = 0; t < c.horizon; t++) {
    for (let j = 0; j < Q; j++) {
      if (j === m) continue;
      // v_j is the gap between adjacent levels: below the median between j and j+1, above between j-1 and j.
      const gap =
        j < m
          ? normalQuantile(c.levels[j + 1]) - normalQuantile(c.levels[j])
          : normalQuantile(c.levels[j]) - normalQuantile(c.levels[j - 1]);
      p.bh[t * Q + j] = softplusInverse(gap);
    }
  }
  // Ws starts at zero: the skip is learned from data, not assumed.
  return flat;
}
