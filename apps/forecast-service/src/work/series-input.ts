/**
 * A request's history → metric series on the harness's 1-minute grid.
 *
 * Two inputs: JSON arrays (`history: {cpu: [...], ...}` or one array), with null for a missing
 * minute, or a Prometheus `/api/v1/query_range` response (parsed by @tsfm/workload-gen, one metric
 * per series, named by `__name__`). Finer grids that divide a minute (15 s, 30 s scrapes) are
 * averaged to minutes; coarser ones are refused, because the harness counts horizons and seasons
 * in minutes and silently stretching a 5-minute series would mislabel every one of them.
 */
import { parsePrometheusRange } from '@tsfm/workload-gen';
import { ApiError, type FieldIssue } from './api-error.js';
import { describe } from './schemas.js';

export const MINUTE_MS = 60_000;

export interface MetricSeries {
  readonly metrics: Record<string, Float32Array>;
  /** Epoch ms of the first point, when the input had timestamps (Prometheus). */
  readonly start: number | null;
}

/** JSON values → Float32Array; reports the first bad value (and how many) instead of one issue per element. */
export function toFloat32(values: readonly unknown[], field: string, issues: FieldIssue[]): Float32Array | null {
  const out = new Float32Array(values.length);
  let bad = -1;
  let badCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) out[i] = Number.NaN;
    else if (typeof v === 'number' && Number.isFinite(v)) out[i] = v;
    else {
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
      const v = values[j];
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

/** `history` of a body: a metric → values object, or one array (metric `value`). */
export function historyToMetrics(history: unknown, stepMs: number): MetricSeries {
  const factor = minuteFactor(stepMs, 'stepMs');
  const issues: FieldIssue[] = [];
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
    : Object.entries(history).map(([k, v]) => [k, v, `history.${k}`]);
  if (entries.length === 0)
    throw ApiError.badRequest([
      { field: 'history', message: 'has no metrics; give at least one, e.g. {"cpu": [0.4, 0.5, …]}' },
    ]);
  const metrics: Record<string, Float32Array> = {};
  for (const [name, values, field] of entries) {
    if (name === '') {
      issues.push({ field: 'history', message: 'has a metric with an empty name' });
      continue;
    }
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
    if (parsed !== null) metrics[name] = toMinutes(parsed, factor);
  }
  if (issues.length > 0) throw ApiError.badRequest(issues);
  checkEqualLengths(metrics, 'history');
  for (const [name, values] of Object.entries(metrics)) {
    if (values.length === 0)
      throw ApiError.badRequest([
        { field: `history.${name}`, message: `holds less than one minute at stepMs ${stepMs}` },
      ]);
  }
  return { metrics, start: null };
}

/** A Prometheus range response → one metric per series, aligned on one grid. */
export function prometheusToMetrics(response: unknown): MetricSeries {
  const series = parsePrometheusRange(response, { source: 'prometheus' });
  if (series.length === 0)
    throw ApiError.badRequest([
      {
        field: 'prometheus.data.result',
        message: 'is empty: the query matched no series, so there is nothing to forecast',
      },
    ]);
  const stepMs = series[0].stepMs;
  const factor = minuteFactor(stepMs, 'prometheus (query step)');
  // Series of one response share the grid phase (the loader anchors them at the earliest sample)
  // but may start and end at different points: pad each to the union range with missing minutes.
  const start = Math.min(...series.map((s) => s.start));
  const end = Math.max(...series.map((s) => s.start + s.values.length * stepMs));
  const length = Math.round((end - start) / stepMs);
  const names = series.map((s) => s.labels.__name__ ?? s.id);
  const unique = new Set(names).size === names.length;
  const metrics: Record<string, Float32Array> = {};
  series.forEach((s, i) => {
    const aligned = new Float32Array(length).fill(Number.NaN);
    aligned.set(s.values, Math.round((s.start - start) / stepMs));
    metrics[unique ? names[i] : s.id] = toMinutes(aligned, factor);
  });
  return { metrics, start };
}

export function checkEqualLengths(metrics: Readonly<Record<string, Float32Array>>, field: string): void {
  const entries = Object.entries(metrics);
  const [first, n] = [entries[0]?.[0], entries[0]?.[1].length];
  const odd = entries.find(([, v]) => v.length !== n);
  if (odd) {
    throw ApiError.badRequest([
      {
        field: `${field}.${odd[0]}`,
        message: `has ${odd[1].length} points but ${field}.${first} has ${n}; every metric must cover the same minutes (pad with null)`,
      },
    ]);
  }
}
