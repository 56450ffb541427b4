/**
 * The Fastify app, built from a ready Harness so tests (app.inject) and main.ts share it.
 * Nothing here loads files or listens; see main.ts for the process around it.
 *
 * Cross-cutting rules, all here so routes stay small:
 *  - JSON only: any other content type is a 415 (Fastify's parser registry has only JSON);
 *  - a body limit (default 8 MiB) → 413 before the body is read into memory;
 *  - every error is `{ error, message, field? }` (api-error.ts);
 *  - every response is counted and timed in /metrics, labelled by route pattern, never by raw
 *    URL (a scanner hitting random paths must not explode the label set);
 *  - at most `maxInFlight` forecast/recommend requests at once: beyond that a 503 with
 *    Retry-After, because a queue without bound turns overload into timeouts for everyone.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Harness } from '@tsfm/harness';
import { ApiError, toErrorResponse } from './api-error.js';
import type { ModelInfo } from './model.js';
import { registerForecastRoutes } from './routes/forecast.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerRecommendRoutes } from './routes/recommend.js';
import { ForecastSlots } from './forecast-slots.js';
import { ServiceMetrics } from './service-metrics.js';
import type { Limits } from './schemas.js';

export interface ServerOptions {
  readonly harness: Harness;
  readonly model: ModelInfo;
  /** Largest request body in bytes (default 8 MiB). */
  readonly bodyLimit?: number;
  /** Harness K when the request gives none (default 32, the harness default). */
  readonly defaultK?: number;
  /** Harness latency budget when the request gives none (default 200 ms, design.md §5). */
  readonly defaultBudgetMs?: number;
  /** Largest K a request may ask for (default 256). */
  readonly maxK?: number;
  /** Forecast/recommend requests accepted at once (running + queued) before 503 (default 1024). */
  readonly maxInFlight?: number;
  /** Harness requests running at once; the others queue (default 2, see forecast-slots.ts). */
  readonly concurrency?: number;
  /** Fastify logger setting (default false; main.ts turns it on). */
  readonly logger?: boolean | { level: string };
  /** Collect prom-client's process metrics (default true). */
  readonly defaultMetrics?: boolean;
}

export interface LastForecast {
  readonly at: string;
  readonly route: string;
  readonly tenantId: string;
  readonly horizon: number;
  readonly alpha: number;
  readonly metrics: readonly string[];
  readonly path: string;
  readonly winner: string | null;
  readonly kUsed: number;
  readonly latencyMs: number;
}

export interface ServiceState {
  readonly startedAt: Date;
  lastForecast: LastForecast | null;
  served: number;
  inFlight: number;
  draining: boolean;
}

export interface ServiceContext {
  readonly harness: Harness;
  readonly model: ModelInfo;
  readonly metrics: ServiceMetrics;
  readonly limits: Limits;
  readonly defaults: { readonly k: number; readonly budgetMs: number };
  readonly maxInFlight: number;
  readonly bodyLimit: number;
  readonly slots: ForecastSlots;
  readonly state: ServiceState;
}

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

export function buildServer(options: ServerOptions): FastifyInstance {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = Fastify({
    bodyLimit,
    logger: options.logger ?? false,
    // Per-request log lines would dominate the cost of a health check under load; errors and
    // lifecycle events are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  const ctx: ServiceContext = {
    harness: options.harness,
    model: options.model,
    metrics: new ServiceMetrics(options.model, { defaultMetrics: options.defaultMetrics }),
    limits: { maxHorizon: options.harness.space.maxHorizonMinutes, maxK: options.maxK ?? 256, maxBudgetMs: 60_000 },
    defaults: { k: options.defaultK ?? 32, budgetMs: options.defaultBudgetMs ?? 200 },
    maxInFlight: options.maxInFlight ?? 1024,
    bodyLimit,
    slots: new ForecastSlots(options.concurrency ?? 2),
    state: { startedAt: new Date(), lastForecast: null, served: 0, inFlight: 0, draining: false },
  };
  app.decorate('service', ctx);
  // Fastify parses text/plain out of the box; this API speaks JSON only, so a text body is a
  // 415 naming the fix rather than a confusing "must be a JSON object".
  app.removeContentTypeParser('text/plain');

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    ctx.metrics.latency.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    ctx.state.served++;
  });

  // Closing (app.close(), from a signal or a test): new requests get 503 (return503OnClosing),
  // requests in flight finish. Node closes the sockets that are idle when close() starts; this
  // sweep closes those that go idle later, and — once no request has been in flight for two
  // sweeps — every remaining socket: one holding a request that never finished arriving (a load
  // generator stopped mid-body) is neither idle nor in flight, and would otherwise hold close()
  // until Node's 5-minute request timeout.
  let sweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    ctx.state.draining = true;
    let quiet = 0;
    let ticks = 0;
    sweep = setInterval(() => {
      app.server.closeIdleConnections();
      quiet = ctx.state.inFlight === 0 ? quiet + 1 : 0;
      if (quiet >= 2) app.server.closeAllConnections();
      if (++ticks % 4 === 0)
        app.server.getConnections((_e, n) =>
          app.log.debug(`draining: ${n} connections, ${ctx.state.inFlight} requests in flight`),
        );
    }, 250);
    sweep.unref();
  });
  app.addHook('onClose', async () => clearInterval(sweep));

  // While draining, every response closes its connection: a keep-alive socket that finished its
  // request would otherwise hold app.close() open until the shutdown timeout.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (ctx.state.draining) void reply.header('connection', 'close');
    return payload;
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error, bodyLimit);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (status === 503 && body.error === 'overloaded') void reply.header('retry-after', '1');
    void reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({
        error: 'not-found',
        message: `no route ${request.method} ${request.url.split('?')[0]}; see GET /status for the endpoints`,
      });
  });

  registerHealthRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerForecastRoutes(app, ctx);
  registerRecommendRoutes(app, ctx);
  return app;
}

/**
 * Runs `work` as one counted in-flight request: 503 beyond `maxInFlight`, then a wait for a
 * harness slot. A request whose client disconnected while it waited is dropped (499, counted)
 * instead of spending model time on an answer nobody reads. Returns the result and the wait.
 */
export async function inFlight<T>(
  ctx: ServiceContext,
  request: FastifyRequest,
  work: () => Promise<T>,
): Promise<{ value: T; queueMs: number }> {
  if (ctx.state.inFlight >= ctx.maxInFlight) {
    throw new ApiError(
      503,
      'overloaded',
      `${ctx.state.inFlight} requests are being served (limit ${ctx.maxInFlight}); retry shortly`,
    );
  }
  ctx.state.inFlight++;
  ctx.metrics.inFlight.inc();
  const queued = performance.now();
  let queueMs = 0;
  try {
    const value = await ctx.slots.run(
      () => {
        queueMs = performance.now() - queued;
        return work();
      },
      () => !request.raw.socket.destroyed,
    );
    if (value === null) {
      ctx.metrics.abandoned.inc();
      throw new ApiError(
        499,
        'client-closed-request',
        'the client closed the connection while the request waited for the model',
      );
    }
    return { value, queueMs };
  } finally {
    ctx.state.inFlight--;
    ctx.metrics.inFlight.dec();
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    service: ServiceContext;
  }
}
