/**
 * The data model every package shares (design.md §1).
 *
 * A series is a regular grid: `start` (epoch ms), `stepMs`, and `values` with NaN for missing
 * points. Values are Float32Array because fleets are large (1000 tenants × 30 days × 4 metrics
 * at 1 minute is 173 M points) and float32 is what the forecaster consumes.
 */
export interface Series {
  readonly start: number;
  readonly stepMs: number;
  readonly values: Float32Array;
}

export const METRICS = ['cpu', 'mem', 'net', 'disk'] as const;
export type MetricName = (typeof METRICS)[number];

/** A tenant: several metric series on one shared grid. */
export interface Tenant {
  readonly id: string;
  readonly start: number;
  readonly stepMs: number;
  /** Metric name → values on the shared grid; all arrays have the same length. */
  readonly metrics: Readonly<Record<string, Float32Array>>;
}

export function seriesLength(tenant: Tenant): number {
  const first = Object.values(tenant.metrics)[0];
  return first ? first.length : 0;
}

/** The time of point `index` on a tenant's or series' grid. */
export function timeAt(grid: { start: number; stepMs: number }, index: number): number {
  return grid.start + index * grid.stepMs;
}
