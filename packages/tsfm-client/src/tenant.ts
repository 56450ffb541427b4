/**
 * Multi-metric tenants are flattened to univariate rows (the model is univariate) and the
 * forecasts regrouped by metric. The tenant type is structural so any { metrics } record fits,
 * including @tsfm/workload-gen's Tenant.
 */
import type { ForecastConfig } from './config.js';
import { ForecastRequestError } from './errors.js';
import type { ForecastRow } from './client.js';
import type { QuantileForecast } from './quantile-forecast.js';

export interface TenantLike {
  readonly id: string;
  /** Metric name → 1-minute values on the tenant's shared grid. */
  readonly metrics: Readonly<Record<string, Float32Array>>;
}

export type TenantForecast = Readonly<Record<string, QuantileForecast>>;

/** One row per metric (in `metrics` order, default the tenant's key order). */
export function flattenTenant(
  tenant: TenantLike,
  horizon: number,
  config: ForecastConfig,
  options: { metrics?: readonly string[]; end?: number } = {},
): { metric: string; row: ForecastRow }[] {
  const names = options.metrics ?? Object.keys(tenant.metrics);
  return names.map((metric) => {
    const values = tenant.metrics[metric];
    if (values === undefined) {
      throw new ForecastRequestError(
        -1,
        `tenant ${tenant.id} has no metric '${metric}' (has ${Object.keys(tenant.metrics).join(', ')})`,
      );
    }
    const row: ForecastRow =
      options.end === undefined ? { values, horizon, config } : { values, horizon, config, end: options.end };
    return { metric, row };
  });
}
