import { describe, expect, it } from 'vitest';
import { backward, forward, pinballLossAndGrad, Workspace } from '../src/model/forward.js';
import { initParams, paramLayout, viewParams } from '../src/model/params.js';
import { Rng } from '../src/rng.js';
import { randomBatch, TINY } from './helpers.js';

/**
 * The backward pass is hand-written, so every parameter block is checked against central
 * differences in float64. The probe loss is Σ G ⊙ qn with a random G: smooth in qn, so only the
 * ReLU kinks (which ε = 1e-6 essentially never crosses) could disturb the difference quotient.
 */
describe('hand-written backward pass', () => {
  const rows = 6;
  const params = Float64Array.from(initParams(TINY, 11));
  // Perturb so the skip and the head are not at their (near-zero) initial values.
  const rng = new Rng(5);
  for (let i = 0; i < params.length; i++) params[i] += 0.1 * rng.normal();
  const { context, mask } = randomBatch(TINY, rows, 2);
  const ws = new Workspace(TINY, rows, Float64Array);
  const G = new Float64Array(rows * TINY.horizon * TINY.levels.length).map(() => rng.normal());

  const probe = (flat: Float64Array): number => {
    forward(TINY, viewParams(TINY, flat), context, mask, rows, ws);
    let s = 0;
    for (let i = 0; i < G.length; i++) s += G[i] * ws.qn[i];
    return s;
  };

  const analytic = new Float64Array(params.length);
  probe(params);
  ws.dqn.set(G);
  backward(TINY, viewParams(TINY, params), viewParams(TINY, analytic), rows, ws);

  for (const block of paramLayout(TINY).blocks) {
    it(`matches finite differences for ${block.name}`, () => {
      const n = block.dims.reduce((a, b) => a * b, 1);
      const pick = new Rng(block.offset + 1);
      const eps = 1e-6;
      for (let s = 0; s < Math.min(n, 24); s++) {
        const i = block.offset + pick.int(0, n - 1);
        const keep = params[i];
        params[i] = keep + eps;
        const up = probe(params);
        params[i] = keep - eps;
        const down = probe(params);
        params[i] = keep;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(numeric - analytic[i])).toBeLessThanOrEqual(
          1e-6 + 1e-5 * Math.max(Math.abs(numeric), Math.abs(analytic[i])),
        );
      }
    });
  }
});

describe('pinball loss gradient', () => {
  it('matches finite differences in the normalised quantiles', () => {
    const rows = 3;
    const ws = new Workspace(TINY, rows, Float64Array);
    const params = Float64Array.from(initParams(TINY, 1));
    const { context, mask } = randomBatch(TINY, rows, 9);
    forward(TINY, viewParams(TINY, params), context, mask, rows, ws);
    // Unit statistics keep the loss O(1), so the difference quotient is not swamped by rounding.
    ws.mean.fill(0);
    ws.scale.fill(1);
    const rng = new Rng(4);
    const target = new Float64Array(rows * TINY.horizon).map(() => 3 * rng.normal());
    target[5] = NaN; // missing targets are skipped
    pinballLossAndGrad(TINY, target, rows, ws);
    const grad = Float64Array.from(ws.dqn);
    const eps = 1e-7;
    for (let s = 0; s < 40; s++) {
      const i = rng.int(0, grad.length - 1);
      const keep = ws.qn[i];
      ws.qn[i] = keep + eps;
      const up = pinballLossAndGrad(TINY, target, rows, ws);
      ws.qn[i] = keep - eps;
      const down = pinballLossAndGrad(TINY, target, rows, ws);
      ws.qn[i] = keep;
      expect((up - down) / (2 * eps)).toBeCloseTo(grad[i], 6);
    }
  });
});
