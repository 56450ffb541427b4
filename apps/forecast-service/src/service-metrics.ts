/**
 * Prometheus metrics of one server, on its own registry (not prom-client's global one), so tests
 * can build several servers in one process without "metric already registered" errors.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MicroBatchStats } from '@tsfm/tsfm-client';
import type { ModelInfo } from './model.js';

/** What the gauges below read at scrape time. */
export interface MetricSources {
  readonly inFlight: () => number;
  readonly bytesInFlight: () => number;
  readonly positionMs: () => number | null;
  /** The factor admission puts on its mean prediction. */
  readonly admissionInflation: () => number;
  readonly workersReady: () => number;
  readonly batches: () => MicroBatchStats | null;
}

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route' | 'method' | 'status'>;
  readonly recommendations: Counter<'action'>;
  readonly forecastPaths: Counter<'path'>;
  readonly kUsed: Histogram;
  readonly kLowered: Counter;
  readonly abandoned: Counter;
  readonly queueWait: Histogram;
  readonly memoryTrims: Counter<'released'>;

  constructor(model: ModelInfo, sources: MetricSources, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'forecast_service_requests_total',
      help: 'HTTP requests by route (the route pattern; unmatched paths share one label), method and status code (429: refused by admission, 499: the client left before the answer)',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'forecast_service_request_duration_seconds',
      help: 'Server-side request latency, from request received to response sent, by status code',
      labelNames: ['route', 'method', 'status'],
      // From a health check (~0.1 ms) to a K = 32 forecast under load.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.recommendations = new Counter({
      name: 'forecast_service_recommendations_total',
      help: 'Recommendations by action (scale_up, scale_down, hold, adjust_thresholds, cold-start)',
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
    this.kLowered = new Counter({
      name: 'forecast_service_k_lowered_total',
      help: 'Forecasts whose K the harness lowered to fit the latency budget',
      registers,
    });
    this.abandoned = new Counter({
      name: 'forecast_service_abandoned_total',
      help: 'Requests dropped before using the model because their client had disconnected',
      registers,
    });
    this.queueWait = new Histogram({
      name: 'forecast_service_queue_wait_seconds',
      help: 'Time a forecast waited between being handed to a worker and starting',
      buckets: [0.0001, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.memoryTrims = new Counter({
      name: 'forecast_service_memory_trims_total',
      help: 'malloc_trim calls after a quiet spell (released="true": memory went back to the kernel)',
      labelNames: ['released'],
      registers,
    });
    new Gauge({
      name: 'forecast_service_in_flight_requests',
      help: 'Forecast and recommend requests admitted and not yet answered',
      registers,
      collect() {
        this.set(sources.inFlight());
      },
    });
    new Gauge({
      name: 'forecast_service_body_bytes_in_flight',
      help: 'Request body bytes charged to the requests in flight (Content-Length, or the body limit when chunked)',
      registers,
      collect() {
        this.set(sources.bytesInFlight());
      },
    });
    new Gauge({
      name: 'forecast_service_admission_position_seconds',
      help: 'Learned cost of one queue position (admission predicts (in flight + 1) × this against the budget)',
      registers,
      collect() {
        this.set((sources.positionMs() ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'forecast_service_admission_inflation_ratio',
      help: 'Factor on the predicted latency before it is compared with the budget (learned so that at most --over-budget-rate of served requests exceed their budget; 1 = the mean prediction alone)',
      registers,
      collect() {
        this.set(sources.admissionInflation());
      },
    });
    new Gauge({
      name: 'forecast_service_workers_ready',
      help: 'Forecast worker threads with a loaded model',
      registers,
      collect() {
        this.set(sources.workersReady());
      },
    });
    const batchCounter = (name: string, help: string, read: (s: MicroBatchStats) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          const stats = sources.batches();
          if (stats === null) return;
          this.reset();
          this.inc(read(stats));
        },
      });
    batchCounter('forecast_service_model_batches_total', 'Model calls made by the micro-batchers', (s) => s.batches);
    batchCounter(
      'forecast_service_model_batch_requests_total',
      'Harness model calls merged into those batches (÷ batches = requests per model call)',
      (s) => s.calls,
    );
    batchCounter('forecast_service_model_batch_rows_total', 'Rows sent in those batches', (s) => s.rows);
    const info = new Gauge({
      name: 'forecast_service_model_info',
      help: 'The loaded model (value 1); random="true" marks a random-weight development model',
      labelNames: ['name', 'version', 'sha256', 'random'],
      registers,
    });
    info.set({ name: model.name, version: model.version, sha256: model.sha256, random: String(model.random) }, 1);
    new Gauge({
      name: 'forecast_service_model_load_seconds',
      help: 'Time to load the model and calibrate the harness at start (one worker)',
      registers,
    }).set(model.loadSeconds);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
