import { describe, expect, it } from 'vitest';
import { minimiseLbfgs } from '../src/lbfgs.js';
import { typescriptProphetOptimizer } from '../src/prophet-optimizer.js';

describe('minimiseLbfgs', () => {
  it('finds the minimum of a 20-dimensional Rosenbrock function', () => {
    const f = (x: Float64Array, g: Float64Array): number => {
      g.fill(0);
      let s = 0;
      for (let i = 0; i < x.length - 1; i++) {
        const a = x[i + 1] - x[i] * x[i];
        const b = 1 - x[i];
        s += 100 * a * a + b * b;
        g[i] += -400 * a * x[i] - 2 * b;
        g[i + 1] += 200 * a;
      }
      return s;
    };
    const r = minimiseLbfgs(f, new Float64Array(20).fill(-1), { maxIterations: 5000 });
    expect(r.converged).toBe(true);
    for (const v of r.x) expect(v).toBeCloseTo(1, 4);
  });
});

describe('typescriptProphetOptimizer', () => {
  // A Prophet-shaped problem with a known answer: y = 0.2 + 0.5·t + 0.3·X₁, tiny noise-free
  // residual, no changepoint effect. The MAP estimate must recover k, m and β₁ (the priors are
  // weak against 200 points) and put σ_obs near 0.
  const T = 200;
  const t = Array.from({ length: T }, (_, i) => i / (T - 1));
  const x1 = t.map((v) => Math.sin(2 * Math.PI * 7 * v));
  const x2 = t.map((v) => Math.cos(2 * Math.PI * 7 * v));
  const y = t.map((v, i) => 0.2 + 0.5 * v + 0.3 * x1[i]);
  const data = (order: [number, number]) =>
    JSON.stringify({
      T,
      y,
      t,
      cap: new Array(T).fill(0),
      S: 3,
      t_change: [0.25, 0.5, 0.75],
      trend_indicator: 0,
      K: 2,
      s_a: [1, 1],
      s_m: [0, 0],
      X: x1.map((v, i) => (order[0] === 0 ? [v, x2[i]] : [x2[i], v])),
      sigmas: [10, 10],
      tau: 0.05,
    });
  const init = { k: 0, m: 0, delta: new Float64Array(3), beta: new Float64Array(2), sigmaObs: 1 };

  it('recovers the generating trend and seasonal coefficient', () => {
    const out = typescriptProphetOptimizer.optimize(init, data([0, 1]), {});
    expect(out.params.k).toBeCloseTo(0.5, 2);
    expect(out.params.m).toBeCloseTo(0.2, 2);
    expect(out.params.beta[0]).toBeCloseTo(0.3, 3);
    expect(out.params.beta[1]).toBeCloseTo(0, 3);
    expect(out.params.sigmaObs).toBeLessThan(0.01);
    expect(out.params.trend.length).toBe(T);
  });

  it('gives the same answer, bit for bit, whatever order the regressor columns arrive in', () => {
    const a = typescriptProphetOptimizer.optimize(init, data([0, 1]), {});
    const b = typescriptProphetOptimizer.optimize(init, data([1, 0]), {});
    expect(b.params.k).toBe(a.params.k);
    expect(b.params.beta[1]).toBe(a.params.beta[0]);
    expect(b.params.beta[0]).toBe(a.params.beta[1]);
  });
});
