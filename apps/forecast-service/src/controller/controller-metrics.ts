/**
 * The controller's recommendations as Prometheus gauges, for KEDA's Prometheus scaler or an HPA
 * through an external-metrics adapter (docs/service.md shows both wirings). One label set per
 * target (and resource): the label space is the targets file's, never a caller's.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Action } from '@tsfm/provisioning';

export const ACTIONS: readonly Action[] = ['scale_up', 'scale_down', 'hold', 'adjust_thresholds'];
export const SOURCES = ['model', 'reactive'] as const;
export type RecommendationSource = (typeof SOURCES)[number];

export class ControllerMetrics {
  readonly replicas: Gauge<'target'>;
  readonly resource: Gauge<'target' | 'resource' | 'bound'>;
  readonly action: Gauge<'target' | 'action'>;
  readonly source: Gauge<'target' | 'source'>;
  readonly reactiveThreshold: Gauge<'target' | 'threshold'>;
  readonly stale: Gauge<'target'>;
  readonly updated: Gauge<'target'>;
  readonly loops: Counter<'result'>;
  readonly errors: Counter<'target' | 'reason'>;
  readonly prometheusUp: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.replicas = new Gauge({
      name: 'forecast_controller_recommended_replicas',
      help: 'Replicas the target should run (from the forecast, or the reactive rule when the model could not answer)',
      labelNames: ['target'],
      registers,
    });
    this.resource = new Gauge({
      name: 'forecast_controller_recommended_resource',
      help: 'Recommended allocation per resource, in the query unit: bound = target | lower | upper (VPA-style)',
      labelNames: ['target', 'resource', 'bound'],
      registers,
    });
    this.action = new Gauge({
      name: 'forecast_controller_action',
      help: 'The recommended action: 1 for the current one, 0 for the others',
      labelNames: ['target', 'action'],
      registers,
    });
    this.source = new Gauge({
      name: 'forecast_controller_source',
      help: 'Where the recommendation came from: 1 for model or reactive (the fallback), 0 for the other',
      labelNames: ['target', 'source'],
      registers,
    });
    this.reactiveThreshold = new Gauge({
      name: 'forecast_controller_reactive_threshold',
      help: "The reactive autoscaler's utilisation thresholds to use: adjusted on adjust_thresholds, else as configured",
      labelNames: ['target', 'threshold'],
      registers,
    });
    this.stale = new Gauge({
      name: 'forecast_controller_stale',
      help: '1 when the last loop could not refresh this target (Prometheus unreachable, no data): the values are the previous ones',
      labelNames: ['target'],
      registers,
    });
    this.updated = new Gauge({
      name: 'forecast_controller_last_update_timestamp_seconds',
      help: 'When this target was last recommended for',
      labelNames: ['target'],
      registers,
    });
    this.loops = new Counter({
      name: 'forecast_controller_loops_total',
      help: 'Controller loops by result: ok (every target refreshed), partial, failed (none)',
      labelNames: ['result'],
      registers,
    });
    this.errors = new Counter({
      name: 'forecast_controller_errors_total',
      help: 'Targets not refreshed, or refreshed by the reactive fallback, by reason',
      labelNames: ['target', 'reason'],
      registers,
    });
    this.prometheusUp = new Gauge({
      name: 'forecast_controller_prometheus_up',
      help: '1 when every Prometheus query of the last loop was answered, else 0',
      registers,
    });
  }
}
