/**
 * One request row → one (or, with flip, two) rows of the model's input tensor.
 *
 * Steps: aggregate the trailing history to the config's resolution, take the last
 * `contextLength` coarse steps, fit the row's scaling, and write the model-space values
 * right-aligned into a row of width C (the model's context length) — left padding — with the mask.
 *
 * Unobserved steps:
 *  - before the first observed step (padding, and leading NaN): the manifest's pad value
 *    (`zero` for masked models; `first-observed` when there is no mask, so the model sees a flat
 *    start rather than a fake jump to zero; `nan` for models that read NaN as missing), mask 0;
 *  - NaN after the first observed step: the previous observed value (a flat carry-forward is
 *    the least informative fill that keeps the series continuous), mask 0 — except with pad
 *    value `nan`, where it stays NaN.
 */
import type { ModelContract } from './manifest.js';
import { toModelSpace, type Scaling } from './normalisation.js';

/**
 * Write coarse[from, from + n) (raw values, NaN = unobserved) into context[offset, offset + C)
 * and mask[offset, offset + C), with `sign` = −1 for the flipped row.
 */
export function writeModelRow(
  coarse: Float64Array | readonly number[],
  from: number,
  n: number,
  scaling: Scaling,
  sign: 1 | -1,
  contract: ModelContract,
  context: Float32Array,
  mask: Float32Array | null,
  offset: number,
): void {
  const C = contract.contextLength;
  const observed = contract.maskObserved;
  const padded = 1 - observed;
  const dst = offset + C - n - from; // context index of coarse index `from + i` is dst + from + i
  const to = from + n;

  let first = from;
  while (first < to && coarse[first] !== coarse[first]) first++;
  let pad = 0;
  if (contract.padValue === 'nan') pad = Number.NaN;
  else if (contract.padValue === 'first-observed' && first < to) pad = sign * toModelSpace(coarse[first], scaling);

  const leadingEnd = dst + first;
  context.fill(pad, offset, leadingEnd);
  if (mask !== null) mask.fill(padded, offset, leadingEnd);

  // z = sign · (g(x) − shift) / scale, with the sign folded into the multiplier.
  const mul = sign / scaling.scale;
  const shift = scaling.shift;
  const log1p = scaling.log1p;
  const carryNan = contract.padValue === 'nan';
  let previous = pad;
  for (let i = first; i < to; i++) {
    const x = coarse[i];
    const p = dst + i;
    if (x === x) {
      previous = ((log1p ? Math.log1p(x) : x) - shift) * mul;
      context[p] = previous;
      if (mask !== null) mask[p] = observed;
    } else {
      context[p] = carryNan ? Number.NaN : previous;
      if (mask !== null) mask[p] = padded;
    }
  }
}
