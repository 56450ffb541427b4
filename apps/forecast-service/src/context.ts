/**
 * What every route of one server shares: where forecasts run, admission, metrics, limits and the
 * mutable state /status and /ready report. Built once by server.ts; routes receive it.
 */
import type { Admission } from './admission.js';
import type { JobRunner } from './job-runner.js';
import type { MemoryTrimmer } from './memory-trim.js';
import type { ModelInfo } from './model.js';
import type { ServiceMetrics } from './service-metrics.js';
import type { ForecastDefaults } from './work/forecast-call.js';
import type { RequestLimits } from './work/request-limits.js';

/** What the controller loop reports about itself to /status (controller/controller.ts). */
export interface ControllerStatus {
  readonly targets: number;
  readonly intervalSeconds: number;
  /** ISO time of the last finished loop, null before the first. */
  readonly lastLoopAt: string | null;
  /** Whether every target's history could be read from Prometheus in the last loop. */
  readonly lastLoopOk: boolean | null;
  readonly prometheusUp: boolean | null;
  /** Targets whose last recommendation came from the reactive fallback. */
  readonly reactiveTargets: number;
}

export interface ServiceState {
  readonly startedAt: Date;
  /** ISO time of the last forecast served (no tenant data: /status is not a side channel). */
  lastForecastAt: string | null;
  forecastsServed: number;
  /** Responses sent, all routes. */
  served: number;
  /** SIGTERM received: /ready fails, the listener closes after the pre-stop delay. */
  draining: boolean;
  /** The listener is closing (app.close() began, after the pre-stop delay): new requests get 503. */
  closing: boolean;
  /** 503 model-failure answers, and when the last one happened (epoch ms): DEGRADED for a minute. */
  modelFailures: number;
  lastModelFailureAt: number | null;
  controller: ControllerStatus | null;
}

export interface ServiceContext {
  readonly runner: JobRunner;
  readonly model: ModelInfo;
  readonly metrics: ServiceMetrics;
  readonly admission: Admission;
  /** Gives freed native memory back after a load peak; null when off or unavailable. */
  readonly memoryTrimmer: MemoryTrimmer | null;
  readonly limits: RequestLimits;
  readonly defaults: ForecastDefaults;
  readonly bodyLimit: number;
  /** The recommender's confidence floor when a request gives none (reported by /status). */
  readonly confidenceFloor: number;
  readonly state: ServiceState;
}

export function newServiceState(): ServiceState {
  return {
    startedAt: new Date(),
    lastForecastAt: null,
    forecastsServed: 0,
    served: 0,
    draining: false,
    closing: false,
    modelFailures: 0,
    lastModelFailureAt: null,
    controller: null,
  };
}
