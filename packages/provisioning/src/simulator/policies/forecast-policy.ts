/**
 * Capacity from a quantile forecast — the TSFM-backed policies (harness, fixed config) without a
 * dependency on the model packages: the caller supplies a `QuantileSource` (the CLI wraps
 * `Harness.forecast` or `TsfmClient.forecastBatch`), and this module turns its forecast into
 * capacity with the package's own recommender, so the simulator scores what the service would
 * recommend.
 *
 * Two modes over the same forecast:
 *  - `direct`: apply the recommender's uncapped target — the peak α-quantile over the horizon —
 *    at every decision: the forecast's own provisioning quality;
 *  - `recommender`: apply the target only when the recommender's action is scale_up or
 *    scale_down (its tier-dependent dead band, confidence floor and multi-horizon rules), else —
 *    hold and adjust_thresholds — keep the current capacity: what an operator following the
 *    service would get.
 */
import type { MetricForecast } from '../../request.js';
import { createRecommender, type RecommendResult } from '../../recommender.js';
import type { CapacityPolicy, PolicySpec, PolicyTenant, ReplaySettings } from '../policy.js';

export interface QuantileRequest {
  readonly tenant: PolicyTenant;
  /** Demand so far (a view, valid during the call). */
  readonly history: Float32Array;
  readonly horizonSteps: number;
  readonly alpha: number;
  /** Decision index: a deterministic seed for searches that sample. */
  readonly decision: number;
}

/**
 * A quantile forecast of the next `horizonSteps` steps (at least that many rows), or null when the
 * source could not forecast this decision (the policy then keeps the current capacity; the caller
 * counts and reports such fallbacks).
 */
export type QuantileSource = (request: QuantileRequest) => Promise<MetricForecast | null>;

export type ForecastPolicyMode = 'direct' | 'recommender';

export interface ForecastPolicyOptions {
  readonly name: string;
  readonly family: string;
  /** A fixed α (a sweep point) or the tenant's tier α. */
  readonly alpha: number | 'tier';
  readonly source: QuantileSource;
  readonly mode?: ForecastPolicyMode;
  /** The recommender's confidence floor in `recommender` mode (default: the recommender's). */
  readonly confidenceFloor?: number;
}

/** The recommender's metric key; internal to this policy (any name works, the trace has one metric). */
const METRIC = 'demand';

export function forecastPolicy(options: ForecastPolicyOptions): PolicySpec {
  const mode = options.mode ?? 'direct';
  return {
    name: options.name,
    family: options.family,
    alpha: options.alpha,
    create(tenant: PolicyTenant, settings: ReplaySettings): CapacityPolicy {
      const alpha = options.alpha === 'tier' ? tenant.alpha : options.alpha;
      const h = settings.horizonSteps;
      // Horizons in steps: the decision interval and the capacity horizon; the latter decides.
      const recommender = createRecommender({
        horizons: [...new Set([Math.min(settings.decisionEverySteps, h), h])],
        decisionHorizon: h,
        demand: { predictMinutes: h },
        ...(options.confidenceFloor === undefined ? {} : { confidenceFloor: options.confidenceFloor }),
      });
      return {
        async decide(history, horizonSteps, context) {
          const forecast = await options.source({ tenant, history, horizonSteps, alpha, decision: context.decision });
          if (forecast === null) return context.current;
          const result: RecommendResult = recommender.recommend({
            alpha,
            forecasts: { [METRIC]: forecast },
            current: { [METRIC]: context.current },
            history: { [METRIC]: history },
          });
          if (result.status !== 'ok') return context.current; // cold start: keep what is provisioned
          const metric = result.metrics[METRIC];
          if (mode === 'direct') return metric.decision.uncappedTarget;
          // Only scaling actions change capacity (adjust_thresholds advises a reactive autoscaler).
          return metric.action === 'scale_up' || metric.action === 'scale_down'
            ? metric.decision.uncappedTarget
            : context.current;
        },
      };
    },
  };
}

/**
 * Shares one forecast between policies that would compute the same one: `harness` and
 * `harness+recommender` read the same harness forecast, and a fixed-config forecast does not
 * depend on α at all, so an α sweep needs it once. Keyed by tenant, decision time, horizon and
 * (when the source depends on it) α. The replay runs every policy on a tenant before the next
 * tenant, so `clear()` after each tenant bounds memory to one tenant's forecasts.
 */
export class ForecastMemo {
  readonly #entries = new Map<string, Promise<MetricForecast | null>>();
  #sources = 0;
  hits = 0;
  misses = 0;

  /** Each wrapped source keeps its own entries: two sources never answer for each other. */
  wrap(source: QuantileSource, options: { dependsOnAlpha: boolean }): QuantileSource {
    const id = this.#sources++;
    return (request) => {
      const key = `${id}\u0000${request.tenant.id}\u0000${request.history.length}\u0000${request.horizonSteps}\u0000${options.dependsOnAlpha ? request.alpha : ''}`;
      let entry = this.#entries.get(key);
      if (entry === undefined) {
        this.misses++;
        entry = source(request);
        this.#entries.set(key, entry);
      } else {
        this.hits++;
      }
      return entry;
    };
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
