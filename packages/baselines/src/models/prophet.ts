/**
 * Prophet (augurs' Rust port of Facebook Prophet) with the TypeScript MAP optimizer by default.
 *
 * Timestamps matter to Prophet (its daily and weekly Fourier terms are functions of wall-clock
 * time), so the input's `start`/`stepMs` are used when given; otherwise a synthetic clock whose
 * day is `period` steps long keeps the daily term aligned with the data's cycle.
 */
import { DAY_MS } from '@tsfm/numerics';
import { Prophet, type ProphetOptimizeOutput, type ProphetOptions } from '@bsull/augurs/prophet';
import { ensureProphet } from '../augurs-wasm.js';
import { prepareInput } from '../input.js';
import { gaussianForecast } from '../quantiles.js';
import { typescriptProphetOptimizer } from '../prophet-optimizer.js';
import type { ForecastInput, Forecaster, QuantileForecast } from '../types.js';

export interface ProphetForecasterOptions {
  /** Defaults to the TypeScript optimizer; pass `@bsull/augurs-prophet-wasmstan`'s to use Stan. */
  readonly optimizer?: ProphetOptions['optimizer'];
  readonly changepointPriorScale?: number;
  readonly seasonalityMode?: 'additive' | 'multiplicative';
  /** Fit on at most this many latest points (the optimizer's cost grows with n × terms). */
  readonly maxContext?: number;
}

/**
 * Quantiles: Prophet's own uncertainty model, computed in closed form instead of simulated.
 * Prophet samples future trend changes (Poisson, S per unit of scaled time, magnitudes
 * Laplace(0, mean|δ|)) plus N(0, σ_obs) noise; augurs draws those samples from an unseeded RNG,
 * which would make evaluation runs irreproducible. The same model has, at scaled lead time Δ,
 * trend variance 2·S·mean|δ|²·Δ³/3 (Σ of slope changes δ_i acting for Δ − s_i), so each step gets
 * sd = y_scale·√(σ_obs² + 2·S·b²·Δ³/3) and Gaussian quantiles; uncertainty sampling is off.
 */
export function prophetForecaster(options: ProphetForecasterOptions = {}): Forecaster {
  const maxContext = options.maxContext ?? 4032;
  const optimizer = options.optimizer ?? typescriptProphetOptimizer;
  return {
    name: 'prophet',
    async forecast(input: ForecastInput): Promise<QuantileForecast> {
      const prepared = prepareInput(input);
      const { horizon, levels, offset } = prepared;
      const stepMs = input.stepMs ?? DAY_MS / (prepared.period && prepared.period > 1 ? prepared.period : 24);
      const drop = Math.max(0, prepared.y.length - maxContext);
      const y = prepared.y.subarray(drop);
      const n = y.length;
      if (n < 3) return gaussianForecast(new Float64Array(horizon).fill(y[n - 1]), new Float64Array(horizon), levels);
      const start = (input.start ?? 0) + (offset + drop) * stepMs;
      const seconds = (i: number): number => Math.round((start + i * stepMs) / 1000);
      const ds = Array.from({ length: n }, (_, i) => seconds(i));
      let fitted: ProphetOptimizeOutput['params'] | undefined;
      const capturing = {
        optimize(...args: Parameters<ProphetOptions['optimizer']['optimize']>): ProphetOptimizeOutput {
          const out = optimizer.optimize(...args);
          fitted = out.params;
          return out;
        },
      };
      ensureProphet();
      const model = new Prophet({
        optimizer: capturing,
        uncertaintySamples: 0,
        ...(options.changepointPriorScale !== undefined
          ? { changepointPriorScale: options.changepointPriorScale }
          : {}),
        ...(options.seasonalityMode !== undefined ? { seasonalityMode: options.seasonalityMode } : {}),
      });
      try {
        model.fit({ ds, y });
        const future = Array.from({ length: horizon }, (_, k) => seconds(n + k));
        const point = model.predict({ ds: future }).yhat.point;
        if (!fitted) throw new Error('prophet: the optimizer was never called');
        // augurs scales y by max|y| (absMax, floor 0) and t to [0, 1] over the history.
        let yScale = 0;
        for (let i = 0; i < n; i++) yScale = Math.max(yScale, Math.abs(y[i]));
        let meanAbsDelta = 1e-8;
        for (const d of fitted.delta) meanAbsDelta += Math.abs(d) / Math.max(fitted.delta.length, 1);
        const S = fitted.delta.length;
        const sd = new Float64Array(horizon);
        for (let k = 0; k < horizon; k++) {
          const lead = (k + 1) / (n - 1);
          const trendVar = (2 * S * meanAbsDelta * meanAbsDelta * lead ** 3) / 3;
          sd[k] = (yScale || 1) * Math.sqrt(fitted.sigmaObs ** 2 + trendVar);
        }
        return gaussianForecast(point, sd, levels);
      } finally {
        model.free();
      }
    },
  };
}
