/**
 * A small limited-memory BFGS minimiser (two-loop recursion, Armijo backtracking), enough for the
 * smooth, low-dimensional (≈ 50 parameters) MAP problems the Prophet optimizer solves.
 */

export interface LbfgsOptions {
  readonly maxIterations?: number;
  /** Stop when the gradient's ∞-norm falls below this. */
  readonly gradientTolerance?: number;
  /** Stop when an iteration improves f by less than this, relative to max(|f|, 1). */
  readonly relativeTolerance?: number;
  readonly memory?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** `evaluate` returns f(x) and writes ∇f(x) into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export function minimiseLbfgs(evaluate: Objective, start: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const maxIterations = options.maxIterations ?? 2000;
  const gradTol = options.gradientTolerance ?? 1e-8;
  const relTol = options.relativeTolerance ?? 1e-12;
  const memory = options.memory ?? 8;
  const n = start.length;
  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let f = evaluate(x, g);
  const s: Float64Array[] = [];
  const yv: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let iterations = 0;
  let converged = false;

  for (; iterations < maxIterations; iterations++) {
    if (maxAbs(g) < gradTol) {
      converged = true;
      break;
    }
    // Two-loop recursion: direction = −H·g with H the implicit inverse-Hessian estimate.
    for (let i = 0; i < n; i++) direction[i] = -g[i];
    for (let j = s.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(s[j], direction);
      axpy(-alpha[j], yv[j], direction);
    }
    if (s.length > 0) {
      const last = s.length - 1;
      scale(direction, dot(s[last], yv[last]) / dot(yv[last], yv[last]));
    } else {
      // First step: a unit-length move, since the gradient's magnitude says nothing about scale.
      scale(direction, 1 / Math.max(1, Math.sqrt(dot(g, g))));
    }
    for (let j = 0; j < s.length; j++) {
      const beta = rho[j] * dot(yv[j], direction);
      axpy(alpha[j] - beta, s[j], direction);
    }
    let slope = dot(g, direction);
    if (!(slope < 0)) {
      // Not a descent direction (a bad curvature pair): restart from steepest descent.
      s.length = yv.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -g[i];
      slope = dot(g, direction);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * direction[i];
      fNew = evaluate(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew <= f)) break; // line search failed: x is as good as this method gets
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i] - x[i];
      yk[i] = gNew[i] - g[i];
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12 * Math.sqrt(dot(sk, sk) * dot(yk, yk))) {
      if (s.length === memory) {
        s.shift();
        yv.shift();
        rho.shift();
      }
      s.push(sk);
      yv.push(yk);
      rho.push(1 / sy);
    }
    const improvement = f - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (improvement <= relTol * Math.max(Math.abs(f), 1)) {
      converged = true;
      iterations++;
      break;
    }
  }
  return { x, value: f, iterations, converged };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}
function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= a;
}
function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
