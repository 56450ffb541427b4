/**
 * A request's history → metric series on the harness's 1-minute grid.
 *
 * Two inputs: JSON arrays (`history: {cpu: [...], ...}` or one array), with null for a missing
 * minute, or a Prometheus `/api/v1/query_range` response (parsed by @tsfm/workload-gen, one metric
 * per series, named by `__name__`). Finer grids that divide a minute (15 s, 30 s scrapes) are
 * averaged to minutes; coarser ones are refused, because the harness counts horizons and seasons
 * in minutes and silently stretching a 5-minute series would mislabel every one of them.
 *
 * Every cap of request-limits.ts is checked on the input as sent, before a typed array exists.
 * Metrics are kept in a Map: a plain object answers `'constructor' in metrics` with true, which
 * once turned a request for metric "constructor" into an all-null 200.
 */
import { MINUTE_MS } from '@tsfm/numerics';
import { parsePrometheusRange } from '@tsfm/workload-gen';
import { ApiError, type FieldIssue } from '../api-error.js';
import type { RequestLimits } from './request-limits.js';
import { describe } from './schemas.js';

/** The largest finite float32; the model and every series buffer are float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

export interface MetricSeries {
  readonly metrics: ReadonlyMap<string, Float32Array>;
  /** Epoch ms of the first point, when the input had timestamps (Prometheus). */
  readonly start: number | null;
}

/** A value float64 can hold but float32 cannot: it would become ±Infinity inside the model. */
function outOfFloat32(value: number, field: string): ApiError {
  return new ApiError(
    422,
    'value-out-of-range',
    `${field}: ${value} is beyond ±${FLOAT32_MAX.toPrecision(8)}, the float32 range the model computes in; rescale the series (e.g. to KiB or per-second rates)`,
    { field },
  );
}

/**
 * A metric name used as a key and echoed in answers: 1…maxNameLength characters, no control
 * characters, not `__proto__` (assigning that key to an object replaces its prototype).
 */
export function checkMetricName(name: string, field: string, limits: RequestLimits): void {
  let problem: string | null = null;
  if (name.length === 0) problem = 'a metric name is empty';
  else if (name.length > limits.maxNameLength)
    problem = `a metric name has ${name.length} characters; at most ${limits.maxNameLength} are accepted`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  else if (/[\u0000-\u001f\u007f]/.test(name)) problem = `metric name ${describe(name)} contains a control character`;
  else if (name === '__proto__') problem = 'the metric name "__proto__" is reserved';
  if (problem !== null) throw ApiError.badRequest([{ field, message: problem }]);
}

/** JSON values → Float32Array; reports the first bad value (and how many) instead of one issue per element. */
export function toFloat32(values: readonly unknown[], field: string, issues: FieldIssue[]): Float32Array | null {
  const out = new Float32Array(values.length);
  let bad = -1;
  let badCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) out[i] = Number.NaN;
    else if (typeof v === 'number' && Number.isFinite(v)) {
      if (v > FLOAT32_MAX || v < -FLOAT32_MAX) throw outOfFloat32(v, `${field}[${i}]`);
      out[i] = v;
    } else {
      if (bad < 0) bad = i;
      badCount++;
    }
  }
  if (bad >= 0) {
    const shown = describe(values[bad]);
    issues.push({
      field: `${field}[${bad}]`,
      message: `is ${shown}; every value must be a finite number, or null for a missing minute${badCount > 1 ? ` (${badCount} bad values in ${field})` : ''}`,
    });
    return null;
  }
  return out;
}

/** Average `factor` consecutive points (NaN-aware; all-missing → NaN); a trailing partial minute is dropped. */
export function toMinutes(values: Float32Array, factor: number): Float32Array {
  if (factor === 1) return values;
  const n = Math.floor(values.length / factor);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let count = 0;
    for (let j = i * factor; j < (i + 1) * factor; j++) {
      const v = values[j]!;
      if (!Number.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    out[i] = count === 0 ? Number.NaN : sum / count;
  }
  return out;
}

export function minuteFactor(stepMs: number, field: string): number {
  if (stepMs === MINUTE_MS) return 1;
  if (stepMs < MINUTE_MS && MINUTE_MS % stepMs === 0) return MINUTE_MS / stepMs;
  throw ApiError.badRequest([
    {
      field,
      message: `is ${stepMs} ms; the harness works on 1-minute grids: send 1-minute data or a step that divides a minute (e.g. 15000, 30000), which is averaged to minutes`,
    },
  ]);
}

function tooLarge(field: string, message: string): ApiError {
  return new ApiError(413, 'too-large', `${field}: ${message}`, { field });
}

function checkSeriesCount(count: number, field: string, limits: RequestLimits): void {
  if (count > limits.maxSeries)
    throw tooLarge(field, `has ${count} series; at most ${limits.maxSeries} are accepted per request`);
}

function checkGrid(series: number, minutes: number, field: string, limits: RequestLimits): void {
  if (minutes > limits.maxMinutes) {
    throw tooLarge(
      field,
      `covers ${minutes} minutes; at most ${limits.maxMinutes} (${(limits.maxMinutes / 1440).toFixed(0)} days) are accepted — send the most recent history only`,
    );
  }
  if (series * minutes > limits.maxGridPoints) {
    throw tooLarge(
      field,
      `${series} series × ${minutes} minutes = ${series * minutes} points; at most ${limits.maxGridPoints} are accepted per request`,
    );
  }
}

/** `history` of a body: a metric → values object, or one array (metric `value`). */
export function historyToMetrics(history: unknown, stepMs: number, limits: RequestLimits): MetricSeries {
  const factor = minuteFactor(stepMs, 'stepMs');
  if (typeof history !== 'object' || history === null) {
    throw ApiError.badRequest([
      {
        field: 'history',
        message: `must be an object of metric → array ({"cpu": [...]}) or one array of numbers, got ${describe(history)}`,
      },
    ]);
  }
  const entries: Array<[string, unknown, string]> = Array.isArray(history)
    ? [['value', history, 'history']]
    : Object.entries(history).map(([k, v]) => [k, v, `history.${k.slice(0, 40)}`]);
  if (entries.length === 0)
    throw ApiError.badRequest([
      { field: 'history', message: 'has no metrics; give at least one, e.g. {"cpu": [0.4, 0.5, …]}' },
    ]);
  checkSeriesCount(entries.length, 'history', limits);
  // Every cap before the first allocation.
  let longest = 0;
  for (const [name, values, field] of entries) {
    checkMetricName(name, 'history', limits);
    if (Array.isArray(values)) {
      if (values.length > limits.maxPointsPerSeries) {
        throw tooLarge(field, `has ${values.length} points; at most ${limits.maxPointsPerSeries} are accepted`);
      }
      longest = Math.max(longest, values.length);
    }
  }
  checkGrid(entries.length, Math.floor(longest / factor), 'history', limits);

  const issues: FieldIssue[] = [];
  const metrics = new Map<string, Float32Array>();
  for (const [name, values, field] of entries) {
    if (!Array.isArray(values)) {
      issues.push({ field, message: `must be an array of numbers (null = missing minute), got ${describe(values)}` });
      continue;
    }
    if (values.length === 0) {
      issues.push({
        field,
        message: 'is empty; send at least one minute of history (an hour or more for a searched forecast)',
      });
      continue;
    }
    const parsed = toFloat32(values, field, issues);
    if (parsed !== null) metrics.set(name, toMinutes(parsed, factor));
  }
  if (issues.length > 0) throw ApiError.badRequest(issues);
  checkEqualLengths(metrics, 'history');
  for (const [name, values] of metrics) {
    if (values.length === 0)
      throw ApiError.badRequest([
        { field: `history.${name.slice(0, 40)}`, message: `holds less than one minute at stepMs ${stepMs}` },
      ]);
  }
  return { metrics, start: null };
}

/**
 * Checks a Prometheus response's size before the loader builds grids from it: series count,
 * samples per series, the minute span of all series together, the finest grid a series could
 * need (its smallest sample interval over the whole span), and float32 range of every value.
 * Shapes it does not understand are left to the loader, whose messages name the field.
 */
export function prescanPrometheus(response: unknown, limits: RequestLimits): void {
  const result = (response as { data?: { result?: unknown } } | null)?.data?.result;
  if (!Array.isArray(result)) return;
  checkSeriesCount(result.length, 'prometheus.data.result', limits);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let finest = Number.POSITIVE_INFINITY;
  for (let s = 0; s < result.length; s++) {
    const values = (result[s] as { values?: unknown } | null)?.values;
    if (!Array.isArray(values)) continue;
    const field = `prometheus.data.result[${s}].values`;
    if (values.length > limits.maxPointsPerSeries) {
      throw tooLarge(field, `has ${values.length} samples; at most ${limits.maxPointsPerSeries} are accepted`);
    }
    let previous = Number.NaN;
    for (let i = 0; i < values.length; i++) {
      const sample = values[i] as unknown;
      if (!Array.isArray(sample) || typeof sample[0] !== 'number' || !Number.isFinite(sample[0])) continue;
      const t = sample[0] * 1000;
      const v: unknown = sample[1];
      if (t < first) first = t;
      if (t > last) last = t;
      const gap = t - previous;
      if (gap > 0 && gap < finest) finest = gap;
      previous = t;
      if (typeof v === 'string') {
        const x = Number(v);
        if (Number.isFinite(x) && (x > FLOAT32_MAX || x < -FLOAT32_MAX)) throw outOfFloat32(x, `${field}[${i}][1]`);
      }
    }
  }
  if (!(last >= first)) return;
  const span = last - first;
  const minutes = Math.floor(span / MINUTE_MS) + 1;
  checkGrid(result.length, minutes, 'prometheus', limits);
  if (Number.isFinite(finest) && span / finest + 1 > limits.maxPointsPerSeries) {
    throw tooLarge(
      'prometheus',
      `samples ${finest} ms apart over ${(span / MINUTE_MS).toFixed(0)} minutes make a grid of ${Math.floor(span / finest) + 1} points; at most ${limits.maxPointsPerSeries} are accepted`,
    );
  }
}

/**
 * A Prometheus range response → one metric per series, aligned on one grid. `stepMs`: the query's
 * step when the caller knows it (a response with one sample per series cannot show it).
 */
export function prometheusToMetrics(response: unknown, limits: RequestLimits, stepMs?: number): MetricSeries {
  prescanPrometheus(response, limits);
  if (stepMs !== undefined) minuteFactor(stepMs, 'stepMs');
  const series = parsePrometheusRange(response, { source: 'prometheus', ...(stepMs === undefined ? {} : { stepMs }) });
  const head = series[0];
  if (head === undefined)
    throw ApiError.badRequest([
      {
        field: 'prometheus.data.result',
        message: 'is empty: the query matched no series, so there is nothing to forecast',
      },
    ]);
  const step = head.stepMs;
  const factor = minuteFactor(step, 'prometheus (query step)');
  // Series of one response share the grid phase (the loader anchors them at the earliest sample)
  // but may start and end at different points: pad each to the union range with missing minutes.
  const start = Math.min(...series.map((s) => s.start));
  const end = Math.max(...series.map((s) => s.start + s.values.length * step));
  const length = Math.round((end - start) / step);
  checkGrid(series.length, Math.floor(length / factor), 'prometheus', limits);
  const names = series.map((s) => s.labels.__name__ ?? s.id);
  const unique = new Set(names).size === names.length;
  const metrics = new Map<string, Float32Array>();
  series.forEach((s, i) => {
    const name = unique ? names[i]! : s.id;
    checkMetricName(name, `prometheus.data.result[${i}].metric`, limits);
    const aligned = new Float32Array(length).fill(Number.NaN);
    aligned.set(s.values, Math.round((s.start - start) / step));
    metrics.set(name, toMinutes(aligned, factor));
  });
  return { metrics, start };
}

export function checkEqualLengths(metrics: ReadonlyMap<string, Float32Array>, field: string): void {
  let first: [string, number] | null = null;
  for (const [name, values] of metrics) {
    if (first === null) first = [name, values.length];
    else if (values.length !== first[1]) {
      throw ApiError.badRequest([
        {
          field: `${field}.${name.slice(0, 40)}`,
          message: `has ${values.length} points but ${field}.${first[0].slice(0, 40)} has ${first[1]}; every metric must cover the same minutes (pad with null)`,
        },
      ]);
    }
  }
}
