/**
 * A real model for the service tests: the default architecture with random weights, written by
 * @tsfm/pretrain's exporter (via the harness's test helper). Latency and the HTTP contract do not
 * depend on the weights; forecast values do, so no test here asserts on them.
 */
import { pretrainShapedModel } from '../../../packages/harness/test/helpers/models.js';
import { openModel, type LoadedModel } from '../src/index.js';

let loaded: Promise<LoadedModel> | null = null;

/** One model per test file (vitest isolates files), loaded on first use. */
export function testModel(): Promise<LoadedModel> {
  loaded ??= openModel(pretrainShapedModel(), { random: true });
  return loaded;
}

/** Deterministic diurnal-ish metrics: `minutes` values per metric, 4 significant digits. */
export function metricHistory(
  minutes: number,
  metrics: readonly string[] = ['cpu', 'mem', 'net', 'disk'],
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  metrics.forEach((m, k) => {
    out[m] = Array.from({ length: minutes }, (_, i) =>
      Number((0.5 + 0.3 * Math.sin((2 * Math.PI * i) / 1440) + 0.05 * (k + 1) * Math.sin(i / 7)).toFixed(4)),
    );
  });
  return out;
}

export function forecastBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { history: metricHistory(240), horizon: 30, tier: 'premium', k: 8, ...overrides };
}

/** A Prometheus /api/v1/query_range response: `series` label sets on one `stepSeconds` grid. */
export function prometheusRange(series: Record<string, number[]>, stepSeconds: number, start = 1_700_000_000): unknown {
  return {
    status: 'success',
    data: {
      resultType: 'matrix',
      result: Object.entries(series).map(([name, values]) => ({
        metric: { __name__: name, instance: 'web-1:9100' },
        values: values.map((v, i) => [start + i * stepSeconds, String(v)]),
      })),
    },
  };
}
