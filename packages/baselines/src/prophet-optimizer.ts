/**
 * A MAP optimizer for Prophet's Stan model, in TypeScript, so augurs' Prophet runs offline.
 *
 * augurs' Prophet delegates parameter estimation to an injected `optimizer`; the intended one is
 * `@bsull/augurs-prophet-wasmstan` (Stan compiled to WASM), which is not a dependency of this
 * workspace. This module solves the same problem — the posterior mode of prophet.stan with
 * `jacobian = false`, as cmdstan's `optimize` does — by L-BFGS on the unconstrained parameters
 * (k, m, δ, log σ_obs, β) with an analytic gradient:
 *
 *   −log p = k²/50 + m²/50 + Σ|δ_j|/τ + 2σ² + Σ β_k²/(2 s_k²) + T·log σ + Σ_t (y_t − μ_t)²/(2σ²)
 *   μ_t    = trend_t · (1 + (X(β∘s_m))_t) + (X(β∘s_a))_t
 *   trend  = (k + A δ)∘t + m − A (δ∘t_change)     (linear; A_tj = [t_t ≥ t_change_j])
 *
 * Differences from Stan, on purpose: |δ| is smoothed as √(δ² + ε²) − ε with ε = 1e-4 (in the
 * scaled units Prophet works in: t ∈ [0, 1], y / max|y|) so the objective is differentiable; the
 * logistic trend is not implemented (ModelUnavailableError), the flat trend is.
 */
import type {
  ProphetInitialParams,
  ProphetOptimizeOptions,
  ProphetOptimizeOutput,
  ProphetStanData,
} from '@bsull/augurs/prophet';
import { minimiseLbfgs } from './lbfgs.js';
import { ModelUnavailableError } from './types.js';

const L1_SMOOTHING = 1e-4;

interface StanData extends Omit<ProphetStanData, 'X'> {
  /** augurs serialises X as T rows of K columns. */
  X: number[][];
}

export const typescriptProphetOptimizer = {
  optimize(init: ProphetInitialParams, dataJson: string, opts: ProphetOptimizeOptions): ProphetOptimizeOutput {
    const data = JSON.parse(dataJson) as StanData;
    if (data.trend_indicator === 1) {
      throw new ModelUnavailableError('the TypeScript Prophet optimizer does not implement the logistic trend');
    }
    const flat = data.trend_indicator === 2;
    const { T, S, K } = data;
    const t = Float64Array.from(data.t);
    const y = Float64Array.from(data.y);
    const tc = Float64Array.from(data.t_change);
    // augurs builds the regressor columns from a Rust HashMap, so their order changes from run to
    // run; the optimum does not, but the floating-point path to it does (forecasts differed by
    // ~3e-4 relative between identical runs). Optimising over a canonical column order makes the
    // result bit-for-bit reproducible.
    const order = canonicalColumnOrder(data);
    const X = new Float64Array(T * K);
    for (let i = 0; i < T; i++) for (let j = 0; j < K; j++) X[i * K + j] = data.X[i][order[j]];
    const sa = Float64Array.from(order, (c) => data.s_a[c]);
    const sm = Float64Array.from(order, (c) => data.s_m[c]);
    const sigmas = Float64Array.from(order, (c) => data.sigmas[c]);
    const tau = data.tau;
    // Changepoints are sorted, so "changepoints passed by t_i" is a prefix of length cp[i].
    const cp = new Int32Array(T);
    for (let i = 0, j = 0; i < T; i++) {
      while (j < S && tc[j] <= t[i]) j++;
      cp[i] = j;
    }

    const iK = 0;
    const iM = 1;
    const iDelta = 2;
    const iLogSigma = 2 + S;
    const iBeta = 3 + S;
    const dim = 3 + S + K;

    const trend = new Float64Array(T);
    const add = new Float64Array(T);
    const mul = new Float64Array(T);
    const resid = new Float64Array(T);

    const computeTrend = (x: Float64Array): void => {
      for (let i = 0; i < T; i++) {
        if (flat) {
          trend[i] = x[iM];
          continue;
        }
        let rate = x[iK];
        let offset = x[iM];
        for (let j = 0; j < cp[i]; j++) {
          rate += x[iDelta + j];
          offset -= tc[j] * x[iDelta + j];
        }
        trend[i] = rate * t[i] + offset;
      }
    };

    const evaluate = (x: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      const k = x[iK];
      const m = x[iM];
      const logSigma = x[iLogSigma];
      const sigma = Math.exp(logSigma);
      computeTrend(x);
      let sse = 0;
      for (let i = 0; i < T; i++) {
        let a = 0;
        let mm = 0;
        for (let j = 0; j < K; j++) {
          const xb = X[i * K + j] * x[iBeta + j];
          a += xb * sa[j];
          mm += xb * sm[j];
        }
        add[i] = a;
        mul[i] = mm;
        resid[i] = y[i] - (trend[i] * (1 + mm) + a);
        sse += resid[i] * resid[i];
      }
      const inv2 = 1 / (sigma * sigma);
      let f = (k * k) / 50 + (m * m) / 50 + 2 * sigma * sigma + T * logSigma + 0.5 * sse * inv2;
      grad[iK] = k / 25;
      grad[iM] = m / 25;
      for (let j = 0; j < S; j++) {
        const d = x[iDelta + j];
        const r = Math.sqrt(d * d + L1_SMOOTHING * L1_SMOOTHING);
        f += (r - L1_SMOOTHING) / tau;
        grad[iDelta + j] = d / (r * tau);
      }
      for (let j = 0; j < K; j++) {
        const b = x[iBeta + j];
        f += (b * b) / (2 * sigmas[j] * sigmas[j]);
        grad[iBeta + j] = b / (sigmas[j] * sigmas[j]);
      }
      grad[iLogSigma] = 4 * sigma * sigma + T - sse * inv2;
      for (let i = 0; i < T; i++) {
        // ∂f/∂μ_i = −r_i/σ²; chain through trend (times 1 + mul) and through β.
        const dMu = -resid[i] * inv2;
        const dTrend = dMu * (1 + mul[i]);
        if (flat) {
          grad[iM] += dTrend;
        } else {
          grad[iK] += dTrend * t[i];
          grad[iM] += dTrend;
          for (let j = 0; j < cp[i]; j++) grad[iDelta + j] += dTrend * (t[i] - tc[j]);
        }
        for (let j = 0; j < K; j++) {
          grad[iBeta + j] += dMu * X[i * K + j] * (trend[i] * sm[j] + sa[j]);
        }
      }
      return f;
    };

    const x0 = new Float64Array(dim);
    x0[iK] = init.k;
    x0[iM] = init.m;
    for (let j = 0; j < S; j++) x0[iDelta + j] = init.delta[j] ?? 0;
    x0[iLogSigma] = Math.log(Math.max(init.sigmaObs, 1e-6));
    for (let j = 0; j < K; j++) x0[iBeta + j] = init.beta[order[j]] ?? 0;

    let evaluations = 0;
    const counted = (x: Float64Array, g: Float64Array): number => {
      evaluations++;
      return evaluate(x, g);
    };
    const result = minimiseLbfgs(counted, x0, {
      maxIterations: opts.iter ?? 2000,
      memory: opts.historySize ?? 8,
    });
    const x = result.x;
    computeTrend(x);
    return {
      logs: {
        debug: '',
        info: `lbfgs: ${result.iterations} iterations, ${evaluations} evaluations, f = ${result.value}, converged = ${result.converged}`,
        warn: result.converged ? '' : 'lbfgs: iteration limit reached before convergence',
        error: '',
        fatal: '',
      },
      params: {
        k: x[iK],
        m: x[iM],
        sigmaObs: Math.exp(x[iLogSigma]),
        delta: x.slice(iDelta, iDelta + S),
        beta: unpermute(x.subarray(iBeta, iBeta + K), order),
        trend: Float64Array.from(trend),
      },
    };
  },
};

/** Column indices sorted by (column values, s_a, s_m, sigma): independent of input order. */
function canonicalColumnOrder(data: StanData): number[] {
  const { T, K } = data;
  const key = (c: number): number[] => [data.s_a[c], data.s_m[c], data.sigmas[c]];
  return Array.from({ length: K }, (_, c) => c).sort((a, b) => {
    for (let i = 0; i < T; i++) {
      const d = data.X[i][a] - data.X[i][b];
      if (d !== 0) return d;
    }
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });
}

function unpermute(values: Float64Array, order: readonly number[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let j = 0; j < order.length; j++) out[order[j]] = values[j];
  return out;
}
