/**
 * Every config of the grid at one forecast origin, scored by the evaluation rule (point-score.ts):
 * the raw material of the best-fixed-config search on TUNING tenants.
 *
 * Configs that differ only in post-processing (clamp, crossing fix) share one model input, so
 * each family of the harness's ConfigSpace is sent once per metric (post-processing off) and its
 * members are post-processed here — exactly what the harness does, so "config X" means the same
 * forecast in the grid search, in the harness and in the fixed-config method. One forecastBatch
 * call per origin. A family that cannot serve the request (log1p on negative data, horizon out of
 * reach, no observation in its context window) scores NaN for its members, and says so.
 */
import { interpolateQuantileRow } from '@tsfm/losses';
import type { ForecastConfig, ForecastRow } from '@tsfm/tsfm-client';
import {
  ConfigSpace,
  lastObservedBefore,
  postProcess,
  servesFinal,
  type HarnessForecaster,
  type RequestReach,
} from '@tsfm/harness';
import { evaluationScale, scorePoint } from './point-score.js';
import type { EvalTenant } from './tenant-data.js';

export interface GridLosses {
  /** losses[o · configs + c]: scale-free α-loss of config c at origin o; NaN = infeasible/unscorable. */
  readonly losses: Float32Array;
  readonly origins: number;
  readonly configs: number;
  /** (origin, family) pairs that could not be served. */
  readonly infeasible: number;
}

export class GridEvaluator {
  readonly space: ConfigSpace;
  readonly #forecaster: HarnessForecaster;

  constructor(forecaster: HarnessForecaster, grid?: readonly ForecastConfig[]) {
    this.#forecaster = forecaster;
    this.space = new ConfigSpace([{ name: 'default', forecaster, ...(grid ? { grid } : {}) }]);
  }

  get keys(): readonly string[] {
    return this.space.keys;
  }

  async losses(
    tenant: EvalTenant,
    origins: Int32Array,
    horizon: number,
    stepsPerDay: number,
    alpha = tenant.alpha,
  ): Promise<GridLosses> {
    const space = this.space;
    const K = space.configs.length;
    const series = tenant.metricNames.map((m) => tenant.metrics[m]);
    const M = series.length;
    const L = this.#forecaster.levels.length;
    const losses = new Float32Array(origins.length * K).fill(Number.NaN);
    const processed = new Float32Array(horizon * L);
    const paths = series.map(() => new Float32Array(horizon));
    const scales = new Float64Array(M);
    let infeasible = 0;
    for (let o = 0; o < origins.length; o++) {
      const origin = origins[o];
      const reach = reachAt(series, origin, horizon);
      const families: number[] = [];
      const rows: ForecastRow[] = [];
      space.families.forEach((f, i) => {
        if (!servesFinal(f, reach)) {
          infeasible++;
          return;
        }
        families.push(i);
        for (const values of series) rows.push({ values, end: origin, horizon, config: f.rawConfig });
      });
      if (rows.length === 0) continue;
      const forecasts = await this.#forecaster.forecastBatch(rows);
      for (let m = 0; m < M; m++) scales[m] = evaluationScale(series[m], origin, { stepsPerDay });
      families.forEach((f, j) => {
        for (const c of space.families[f].members) {
          const config = space.configs[c];
          for (let m = 0; m < M; m++) {
            const q = postProcess(forecasts[j * M + m].quantiles, config, horizon, L, processed);
            interpolateQuantileRow(this.#forecaster.levels, q, L, horizon, alpha, paths[m]);
          }
          losses[o * K + c] = scorePoint(series, origin, horizon, alpha, paths, scales).loss;
        }
      });
    }
    return { losses, origins: origins.length, configs: K, infeasible };
  }
}

/** What the history before `origin` allows (the harness's feasibility rules, for the final forecast). */
export function reachAt(series: readonly Float32Array[], origin: number, horizon: number): RequestReach {
  let minLastObserved = origin;
  let anyNegative = false;
  for (const values of series) {
    minLastObserved = Math.min(minLastObserved, lastObservedBefore(values, origin));
    for (let i = 0; i < origin; i++) {
      if (values[i] < 0) {
        anyNegative = true;
        break;
      }
    }
  }
  // The grid scores each config's own forecast; the fleet's horizon is within every config's reach,
  // and a config that cannot reach it is infeasible here rather than rolled out.
  return { n: origin, horizon, earliestOrigin: origin, minLastObserved, anyNegative, rollout: false };
}
