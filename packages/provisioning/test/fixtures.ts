/**
 * Small generated inputs. Values are chosen to be exact in float32 (integers, halves) wherever a
 * test compares a threshold edge, so a boundary test checks the rule, not rounding.
 */
import type { MetricForecast, RecommendInput } from '../src/index.js';

/** Levels of a typical model head, tails included. */
export const LEVELS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] as const;
/** Standard normal quantiles at LEVELS. */
const Z = [-2.326, -1.645, -1.2816, -0.6745, 0, 0.6745, 1.2816, 1.645, 2.326];

/** Every level equal to `values[t]` at minute t: a perfectly certain forecast (confidence 1). */
export function flatForecast(values: readonly number[]): MetricForecast {
  const q = new Float32Array(values.length * LEVELS.length);
  values.forEach((v, t) => q.fill(v, t * LEVELS.length, (t + 1) * LEVELS.length));
  return { quantiles: q, levels: LEVELS, horizon: values.length };
}

/** Normal-shaped quantiles: mean[t] + z·sd[t]. */
export function normalForecast(mean: readonly number[], sd: readonly number[] | number): MetricForecast {
  const q = new Float32Array(mean.length * LEVELS.length);
  mean.forEach((m, t) => {
    const s = typeof sd === 'number' ? sd : sd[t];
    Z.forEach((z, k) => (q[t * LEVELS.length + k] = m + z * s));
  });
  return { quantiles: q, levels: LEVELS, horizon: mean.length };
}

export function constant(n: number, value: number): number[] {
  return Array.from({ length: n }, () => value);
}

export function history(n: number, value: number | ((i: number) => number)): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (typeof value === 'number' ? value : value(i)));
}

/** A warm single-metric input: 120 minutes of history at `historyValue`, a flat 30-minute forecast. */
export function cpuInput(opts: {
  forecast: number | MetricForecast;
  current: number;
  alpha?: number;
  historyValue?: number;
}): RecommendInput {
  const forecast = typeof opts.forecast === 'number' ? flatForecast(constant(30, opts.forecast)) : opts.forecast;
  return {
    alpha: opts.alpha ?? 0.75,
    forecasts: { cpu: forecast },
    current: { cpu: opts.current },
    history: { cpu: history(120, opts.historyValue ?? 1) },
  };
}
