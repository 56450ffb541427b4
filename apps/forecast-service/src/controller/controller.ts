/**
 * Controller mode (`--controller FILE`): the seeds' autoscalers run a loop, not only an API. Every
 * `intervalSeconds` (60), for each target of the targets file:
 *  1. read each resource's history from Prometheus (`query_range`, one series per resource) and
 *     its current allocation (a number, or an instant query);
 *  2. forecast and recommend through the service's own job path (the same validation, caps,
 *     worker threads and micro-batching as POST /recommend);
 *  3. when the model cannot answer — history too short (cold start), or the forecast failed — use
 *     the reactive rule (reactive.ts) on the same history instead;
 *  4. export the result as gauges (controller-metrics.ts) for KEDA or an HPA adapter.
 * When Prometheus cannot be read, a target keeps its last recommendation, marked stale, and the
 * service reports DEGRADED until a loop reads every target again. The next loop starts one
 * interval after the previous one finished, so a slow Prometheus never stacks loops.
 */
import { EventEmitter } from 'node:events';
import { TIERS } from '@tsfm/losses';
import type { Action, ReactiveThresholds } from '@tsfm/provisioning';
import type { FastifyInstance } from 'fastify';
import { epochNow } from '../clock.js';
import type { ServiceContext } from '../context.js';
import { prometheusToMetrics } from '../work/series-input.js';
import { ACTIONS, ControllerMetrics, SOURCES, type RecommendationSource } from './controller-metrics.js';
import { PrometheusClient, PrometheusError } from './prometheus-client.js';
import { reactiveRecommendation, type ResourceBounds } from './reactive.js';
import { loadTargets, type ControllerConfig, type Target } from './targets.js';

export interface TargetState {
  readonly source: RecommendationSource;
  readonly action: Action;
  readonly reason: string;
  /** null when no resource has a per-replica capacity (options.perReplicaCapacity). */
  readonly replicas: number | null;
  readonly resources: Readonly<Record<string, ResourceBounds>>;
  readonly reactiveThresholds: ReactiveThresholds;
  /** Epoch ms. */
  readonly updatedAt: number;
  readonly stale: boolean;
}

export interface TargetOutcome {
  readonly refreshed: boolean;
  readonly source: RecommendationSource | null;
  /** Why the model was not used, or why nothing could be refreshed. */
  readonly error: string | null;
}

export interface LoopResult {
  readonly finishedAt: Date;
  readonly prometheusUp: boolean;
  readonly targets: Readonly<Record<string, TargetOutcome>>;
}

type Failure = { readonly reason: 'prometheus' | 'query' | 'no-data'; readonly message: string };

const encoder = new TextEncoder();

/** Events: `loop` (LoopResult) after every loop. */
export class Controller extends EventEmitter {
  readonly config: ControllerConfig;
  readonly #ctx: ServiceContext;
  readonly #prometheus: PrometheusClient;
  readonly #metrics: ControllerMetrics;
  readonly #states = new Map<string, TargetState>();
  readonly #log: (message: string) => void;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<LoopResult> | null = null;
  #stopped = false;
  #loops = 0;

  constructor(ctx: ServiceContext, config: ControllerConfig, options: { log?: (message: string) => void } = {}) {
    super();
    this.#ctx = ctx;
    this.config = config;
    this.#prometheus = new PrometheusClient(config.prometheus.url, config.prometheus.timeoutSeconds * 1000);
    this.#metrics = new ControllerMetrics(ctx.metrics.registry);
    this.#log = options.log ?? (() => undefined);
    ctx.state.controller = {
      targets: config.targets.length,
      intervalSeconds: config.intervalSeconds,
      lastLoopAt: null,
      lastLoopOk: null,
      prometheusUp: null,
      reactiveTargets: 0,
    };
  }

  get loops(): number {
    return this.#loops;
  }

  state(target: string): TargetState | undefined {
    return this.#states.get(target);
  }

  /** Loop now, then every intervalSeconds after each loop finished, until stop(). */
  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.runOnce();
      void this.#running.finally(() => {
        this.#running = null;
        if (!this.#stopped) this.#timer = setTimeout(tick, this.config.intervalSeconds * 1000);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async runOnce(): Promise<LoopResult> {
    const outcomes: Record<string, TargetOutcome> = {};
    let prometheusUp = true;
    for (const target of this.config.targets) {
      const outcome = await this.#refresh(target).catch(
        (error: unknown): TargetOutcome => ({
          refreshed: false,
          source: null,
          error: `internal: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
      if (outcome.error?.startsWith('prometheus:')) prometheusUp = false;
      outcomes[target.name] = outcome;
    }
    this.#loops++;
    const values = Object.values(outcomes);
    const refreshed = values.filter((o) => o.refreshed).length;
    this.#metrics.loops.inc({ result: refreshed === values.length ? 'ok' : refreshed === 0 ? 'failed' : 'partial' });
    this.#metrics.prometheusUp.set(prometheusUp ? 1 : 0);
    const result: LoopResult = { finishedAt: new Date(), prometheusUp, targets: outcomes };
    this.#ctx.state.controller = {
      targets: this.config.targets.length,
      intervalSeconds: this.config.intervalSeconds,
      lastLoopAt: result.finishedAt.toISOString(),
      lastLoopOk: refreshed === values.length,
      prometheusUp,
      reactiveTargets: values.filter((o) => o.source === 'reactive').length,
    };
    this.emit('loop', result);
    return result;
  }

  async #refresh(target: Target): Promise<TargetOutcome> {
    const read = await this.#read(target);
    if ('reason' in read) {
      this.#markStale(target, read);
      return { refreshed: false, source: null, error: `${read.reason}: ${read.message}` };
    }
    const { merged, current } = read;
    // The target schema's refine lets exactly one of alpha and tier through.
    const alpha = target.tier === undefined ? target.alpha : TIERS[target.tier];
    if (alpha === undefined)
      throw new Error(`target ${target.name}: neither alpha nor tier (the schema should refuse it)`);
    const model = await this.#recommend(target, merged, current);
    if ('state' in model) {
      this.#publish(target, model.state);
      return { refreshed: true, source: 'model', error: null };
    }
    // The model could not answer: the reactive rule on the same history.
    let history: ReadonlyMap<string, Float32Array>;
    try {
      history = prometheusToMetrics(merged, this.#ctx.limits, this.config.prometheus.stepSeconds * 1000).metrics;
    } catch (error) {
      const failure: Failure = { reason: 'query', message: (error as Error).message };
      this.#markStale(target, failure);
      return { refreshed: false, source: null, error: `${failure.reason}: ${failure.message}` };
    }
    const reactive = reactiveRecommendation(history, current, alpha, target.parsedOptions);
    if (reactive === null) {
      const failure: Failure = { reason: 'no-data', message: 'no observed value in the recent window' };
      this.#markStale(target, failure);
      return { refreshed: false, source: null, error: `${failure.reason}: ${failure.message}` };
    }
    this.#metrics.errors.inc({ target: target.name, reason: model.fallback });
    this.#publish(target, {
      source: 'reactive',
      action: reactive.action,
      reason: `${model.why}; ${reactive.reason}`,
      replicas: reactive.replicas?.desired ?? null,
      resources: reactive.resources,
      reactiveThresholds: configuredThresholds(target),
      updatedAt: Date.now(),
      stale: false,
    });
    return { refreshed: true, source: 'reactive', error: model.why };
  }

  /** Every resource's history (merged into one matrix, named by resource) and current allocation. */
  async #read(target: Target): Promise<{ merged: unknown; current: Record<string, number> } | Failure> {
    const { historyMinutes, stepSeconds } = this.config.prometheus;
    // Up to now, not to the last whole step: a series scraped for less than a step still has its sample.
    const end = Math.floor(Date.now() / 1000);
    const start = end - historyMinutes * 60;
    try {
      const read = await Promise.all(
        Object.entries(target.resources).map(async ([name, resource]) => {
          const range = (await this.#prometheus.queryRange({ query: resource.query, start, end, stepSeconds })) as {
            data?: { result?: Array<{ values?: unknown }> };
          };
          const series = range.data?.result ?? [];
          if (series.length > 1) {
            throw new PrometheusError(
              'query',
              `resource ${name}: the query returned ${series.length} series; aggregate it to one (sum(), max())`,
            );
          }
          const current =
            typeof resource.current === 'number'
              ? resource.current
              : await this.#prometheus.queryScalar(resource.current.query, end);
          return { name, values: series[0]?.values, current };
        }),
      );
      const empty = read.filter((r) => r.values === undefined).map((r) => r.name);
      if (empty.length > 0) return { reason: 'no-data', message: `no series for ${empty.join(', ')}` };
      const merged = {
        status: 'success',
        data: { resultType: 'matrix', result: read.map((r) => ({ metric: { __name__: r.name }, values: r.values })) },
      };
      const current: Record<string, number> = Object.create(null) as Record<string, number>;
      for (const r of read) current[r.name] = r.current;
      return { merged, current };
    } catch (error) {
      if (!(error instanceof PrometheusError)) throw error;
      return { reason: error.kind === 'unreachable' ? 'prometheus' : 'query', message: error.message };
    }
  }

  /** The model's recommendation through the service's job path, or why there is none. */
  async #recommend(
    target: Target,
    merged: unknown,
    current: Record<string, number>,
  ): Promise<{ state: TargetState } | { fallback: string; why: string }> {
    const body = {
      prometheus: merged,
      stepMs: this.config.prometheus.stepSeconds * 1000,
      ...(target.alpha !== undefined ? { alpha: target.alpha } : { tier: target.tier }),
      current: { ...current },
      options: target.options,
      ...(target.k !== undefined ? { k: target.k } : {}),
      ...(target.budgetMs !== undefined ? { budgetMs: target.budgetMs } : {}),
    };
    const now = epochNow();
    const outcome = await this.#ctx.runner.run(
      { kind: 'recommend', body: encoder.encode(JSON.stringify(body)), receivedAt: now, queuedAt: now },
      new AbortController().signal,
    );
    const text =
      outcome === null
        ? ''
        : typeof outcome.body === 'string'
          ? outcome.body
          : Buffer.from(outcome.body).toString('utf8');
    if (outcome === null || outcome.status !== 200) {
      let message = `status ${outcome?.status ?? 'none'}`;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // keep the status
      }
      return {
        fallback: outcome?.status === 503 ? 'model-failure' : 'model-refused',
        why: `the model could not answer: ${message}`,
      };
    }
    const answer = JSON.parse(text) as { recommendation: RecommendationJson };
    const rec = answer.recommendation;
    if (rec.status !== 'ok') return { fallback: 'cold-start', why: `cold start: ${rec.reason ?? 'history too short'}` };
    const resources: Record<string, ResourceBounds> = {};
    for (const name of Object.keys(rec.vpa.target)) {
      resources[name] = {
        target: rec.vpa.target[name],
        lower: rec.vpa.lowerBound[name],
        upper: rec.vpa.upperBound[name],
      };
    }
    return {
      state: {
        source: 'model',
        action: rec.action,
        reason: rec.reason ?? '',
        replicas: rec.replicas?.desired ?? null,
        resources,
        reactiveThresholds: rec.reactiveThresholds ?? configuredThresholds(target),
        updatedAt: Date.now(),
        stale: false,
      },
    };
  }

  #publish(target: Target, state: TargetState): void {
    this.#states.set(target.name, state);
    const m = this.#metrics;
    const t = target.name;
    if (state.replicas !== null) m.replicas.set({ target: t }, state.replicas);
    for (const [resource, b] of Object.entries(state.resources)) {
      m.resource.set({ target: t, resource, bound: 'target' }, b.target);
      m.resource.set({ target: t, resource, bound: 'lower' }, b.lower);
      m.resource.set({ target: t, resource, bound: 'upper' }, b.upper);
    }
    for (const action of ACTIONS) m.action.set({ target: t, action }, action === state.action ? 1 : 0);
    for (const source of SOURCES) m.source.set({ target: t, source }, source === state.source ? 1 : 0);
    m.reactiveThreshold.set({ target: t, threshold: 'scale_up' }, state.reactiveThresholds.scaleUpUtilisation);
    m.reactiveThreshold.set({ target: t, threshold: 'scale_down' }, state.reactiveThresholds.scaleDownUtilisation);
    m.stale.set({ target: t }, 0);
    m.updated.set({ target: t }, state.updatedAt / 1000);
  }

  #markStale(target: Target, failure: Failure): void {
    this.#metrics.errors.inc({ target: target.name, reason: failure.reason });
    this.#metrics.stale.set({ target: target.name }, 1);
    const previous = this.#states.get(target.name);
    if (previous !== undefined) this.#states.set(target.name, { ...previous, stale: true });
    this.#log(`controller: ${target.name} not refreshed (${failure.reason}: ${failure.message})`);
  }
}

interface RecommendationJson {
  readonly status: 'ok' | 'cold-start';
  readonly reason?: string;
  readonly action: Action;
  readonly vpa: {
    readonly target: Record<string, number>;
    readonly lowerBound: Record<string, number>;
    readonly upperBound: Record<string, number>;
  };
  readonly replicas: { readonly desired: number } | null;
  readonly reactiveThresholds: ReactiveThresholds | null;
}

function configuredThresholds(target: Target): ReactiveThresholds {
  const { scaleUpUtilisation, scaleDownUtilisation } = target.parsedOptions.reactive;
  return { scaleUpUtilisation, scaleDownUtilisation };
}

/** main.ts: load the targets file, start the loop; the returned controller stops with the server. */
export function startController(app: FastifyInstance, targetsFile: string): Controller {
  const controller = new Controller(app.service, loadTargets(targetsFile), { log: (m) => app.log.warn(m) });
  controller.start();
  return controller;
}
