import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPrometheusRange, parsePrometheusRange } from '../src/loaders/index.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const T = 1_700_000_000; // unix seconds
const STEP_S = 15;

/** A query_range response: one entry per label set, samples as [unix seconds, value string]. */
function rangeResponse(result: { metric: Record<string, string>; values: [number, string][] }[]) {
  return { status: 'success', data: { resultType: 'matrix', result } };
}
const samples = (values: string[], from = T, skip: number[] = []): [number, string][] =>
  values.map((v, i): [number, string] => [from + STEP_S * i, v]).filter((_, i) => !skip.includes(i));

describe('Prometheus query_range JSON', () => {
  const cpuA = { __name__: 'container_cpu', pod: 'a', namespace: 'shop' };
  const cpuB = { __name__: 'container_cpu', pod: 'b', namespace: 'shop' };

  it('gives one series per label set, with its labels and a stable id', () => {
    const json = rangeResponse([
      { metric: cpuA, values: samples(['0.5', '0.25', '1']) },
      { metric: cpuB, values: samples(['2', '3', '4']) },
    ]);
    const series = parsePrometheusRange(JSON.stringify(json));
    expect(series.map((s) => s.id)).toEqual([
      'container_cpu{namespace="shop",pod="a"}',
      'container_cpu{namespace="shop",pod="b"}',
    ]);
    expect(series[0].labels).toEqual(cpuA);
    expect(series[0]).toMatchObject({ start: T * 1000, stepMs: STEP_S * 1000 });
    expect(Array.from(series[0].values)).toEqual([0.5, 0.25, 1]);
    expect(Array.from(series[1].values)).toEqual([2, 3, 4]);
  });

  it('accepts a parsed object as well as text', () => {
    const json = rangeResponse([{ metric: cpuA, values: samples(['1', '2']) }]);
    expect(Array.from(parsePrometheusRange(json)[0].values)).toEqual([1, 2]);
  });

  it('turns "NaN", "+Inf" and "-Inf" into missing points by default', () => {
    const json = rangeResponse([{ metric: cpuA, values: samples(['1', 'NaN', '+Inf', '-Inf', '5']) }]);
    expect(Array.from(parsePrometheusRange(json)[0].values)).toEqual([1, Number.NaN, Number.NaN, Number.NaN, 5]);
  });

  it('makes absent evaluation steps NaN gaps on a grid shared by all series', () => {
    const json = rangeResponse([
      { metric: cpuA, values: samples(['1', '2', '3', '4'], T, [1]) }, // step 2 absent
      { metric: cpuB, values: samples(['7', '8'], T + 2 * STEP_S) }, // starts later
    ]);
    const [a, b] = parsePrometheusRange(json);
    expect(Array.from(a.values)).toEqual([1, Number.NaN, 3, 4]);
    expect(b.start - a.start).toBe(2 * STEP_S * 1000);
    expect(b.stepMs).toBe(a.stepMs);
  });

  it('loads a series with a single sample using the step pooled over the response', () => {
    const json = rangeResponse([
      { metric: cpuA, values: samples(['1', '2', '3']) },
      { metric: cpuB, values: samples(['9'], T + STEP_S) },
    ]);
    const [, b] = parsePrometheusRange(json);
    expect([b.start, b.stepMs, Array.from(b.values)]).toEqual([(T + STEP_S) * 1000, STEP_S * 1000, [9]]);
  });

  it('uses the query step when given, and keeps fractional-second timestamps exact to the millisecond', () => {
    const json = rangeResponse([
      {
        metric: cpuA,
        values: [
          [1435781430.781, '1'],
          [1435781460.781, '2'],
        ],
      },
    ]);
    const [s] = parsePrometheusRange(json, { stepMs: 15_000 });
    expect(s.start).toBe(1435781430781);
    expect(Array.from(s.values)).toEqual([1, Number.NaN, 2]);
  });

  it('returns no series for an empty result (a query that matched nothing)', () => {
    expect(parsePrometheusRange(rangeResponse([]))).toEqual([]);
  });

  it('loads from a file with a BOM and CRLF line endings', async () => {
    const dir = tempDir('loaders-prom-');
    try {
      const path = join(dir, 'range.json');
      const text = JSON.stringify(rangeResponse([{ metric: cpuA, values: samples(['1', '2']) }]), null, 2).replace(
        /\n/g,
        '\r\n',
      );
      writeFileSync(path, '\uFEFF' + text);
      const [s] = await loadPrometheusRange(path);
      expect(s.source).toBe(path);
      expect(Array.from(s.values)).toEqual([1, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
