/**
 * Prometheus metrics of one server, on its own registry (not prom-client's global one), so tests
 * can build several servers in one process without "metric already registered" errors.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelInfo } from './model.js';

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route' | 'method'>;
  readonly recommendations: Counter<'action'>;
  readonly forecastPaths: Counter<'path'>;
  readonly inFlight: Gauge;
  readonly kUsed: Histogram;
  readonly abandoned: Counter;
  readonly queueWait: Histogram;

  constructor(model: ModelInfo, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'forecast_service_requests_total',
      help: 'HTTP requests by route (the route pattern; unmatched paths share one label), method and status code',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'forecast_service_request_duration_seconds',
      help: 'Server-side request latency, from request received to response sent',
      labelNames: ['route', 'method'],
      // From a cached health check (~0.1 ms) to a K = 32 forecast under load (seconds).
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.recommendations = new Counter({
      name: 'forecast_service_recommendations_total',
      help: 'Recommendations by action (scale_up, scale_down, hold, cold-start)',
      labelNames: ['action'],
      registers,
    });
    this.forecastPaths = new Counter({
      name: 'forecast_service_forecasts_total',
      help: 'Harness forecasts by path (search, cold-start-prior, cold-start-default, cold-start-flat)',
      labelNames: ['path'],
      registers,
    });
    this.kUsed = new Histogram({
      name: 'forecast_service_harness_k_used',
      help: 'Configs the harness actually tried per forecast (below the requested K when the latency budget lowered it)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.abandoned = new Counter({
      name: 'forecast_service_abandoned_total',
      help: 'Requests dropped before using the model because their client had disconnected',
      registers,
    });
    this.queueWait = new Histogram({
      name: 'forecast_service_queue_wait_seconds',
      help: 'Time a forecast waited for a harness slot before running',
      buckets: [0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'forecast_service_in_flight_requests',
      help: 'Forecast and recommend requests being served now',
      registers,
    });
    const info = new Gauge({
      name: 'forecast_service_model_info',
      help: 'The loaded model (value 1); random="true" marks a random-weight development model',
      labelNames: ['name', 'version', 'sha256', 'random'],
      registers,
    });
    info.set({ name: model.name, version: model.version, sha256: model.sha256, random: String(model.random) }, 1);
    new Gauge({
      name: 'forecast_service_model_load_seconds',
      help: 'Time to load the model and calibrate the harness at start',
      registers,
    }).set(model.loadSeconds);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
