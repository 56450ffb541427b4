/**
 * The Fastify app around a JobRunner, so tests (app.inject, a LocalJobRunner) and main.ts (a
 * WorkerPool) share it. Nothing here loads files or listens; see main.ts for the process.
 *
 * Cross-cutting rules, all here so routes stay small:
 *  - JSON only: the body is read as bytes (parsed by the job, off this thread); any other
 *    content type is a 415;
 *  - a body limit → 413 before the body is read into memory; header, request and keep-alive
 *    timeouts and a connection cap, so slow or idle clients cannot hold sockets open;
 *  - every error is `{ error, message, field? }` (api-error.ts), including Node's own HTTP
 *    parser errors and 405 for a known path with the wrong method;
 *  - every response is counted and timed in /metrics by route pattern (never by raw URL) and
 *    status code; every response says `X-Content-Type-Options: nosniff`;
 *  - optional bearer-token auth on everything but the probes and /metrics.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RacingOptions } from '@tsfm/harness';
import { parseRecommendOptions } from '@tsfm/provisioning';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { Admission } from './admission.js';
import { ApiError, clientErrorResponse, toErrorResponse, type ErrorBody } from './api-error.js';
import type { BearerAuth } from './auth.js';
import { newServiceState, type ServiceContext } from './context.js';
import type { JobRunner } from './job-runner.js';
import { MemoryTrimmer, DEFAULT_TRIM_QUIET_MS, type TrimFn } from './memory-trim.js';
import type { ModelInfo } from './model.js';
import { registerForecastRoutes } from './routes/forecast.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { ServiceMetrics } from './service-metrics.js';
import type { ForecastDefaults } from './work/forecast-call.js';
import type { JobSettings } from './work/forecast-job.js';
import { requestLimits, type RequestLimits } from './work/request-limits.js';

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
/** Request bodies admitted at once, in bytes: 32 bodies at the default limit. */
export const DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 256 * 1024 * 1024;

/** Socket timeouts (ms). Node checks the request timeout every `checkIntervalMs`. */
export interface HttpTimeouts {
  /** Until the request headers are complete. */
  readonly headersMs: number;
  /** Until the whole request (headers and body) is complete: a slow-body client is cut here. */
  readonly requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveMs: number;
  readonly checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = {
  headersMs: 5_000,
  requestMs: 10_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
};

/** The recommender's default confidence floor (packages/provisioning options.ts), for /status. */
export const DEFAULT_CONFIDENCE_FLOOR = parseRecommendOptions({}).confidenceFloor;

/** What a forecast job needs to know about the service (shared by the server and its workers). */
export interface SettingsOptions {
  readonly limits?: Partial<RequestLimits>;
  readonly bodyLimit?: number;
  /** Harness K when the request gives none (default 32, the harness default). */
  readonly defaultK?: number;
  /** Harness latency budget when the request gives none; also admission's budget (default 200 ms). */
  readonly defaultBudgetMs?: number;
  /** The harness's options.racing for every request (default null: off, as the harness ships). */
  readonly racing?: RacingOptions | null;
}

export function jobSettings(maxHorizon: number, options: SettingsOptions = {}): JobSettings {
  const defaults: ForecastDefaults = {
    k: options.defaultK ?? 32,
    budgetMs: options.defaultBudgetMs ?? 200,
    racing: options.racing ?? null,
  };
  return {
    limits: requestLimits(maxHorizon, options.limits),
    defaults,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
  };
}

export interface ServerOptions extends SettingsOptions {
  readonly runner: JobRunner;
  readonly model: ModelInfo;
  /** Requests admitted at once whatever the prediction (default 1024). */
  readonly maxInFlight?: number;
  /** Fraction of served requests allowed over their budget; admission's margin follows it (default 0.01). */
  readonly overBudgetRate?: number;
  /** Requests always admitted (default: 2 per worker). */
  readonly minInFlight?: number;
  /** Bytes of request bodies admitted at once (Content-Length, or the body limit when chunked). */
  readonly maxBodyBytesInFlight?: number;
  readonly auth?: BearerAuth | null;
  readonly timeouts?: Partial<HttpTimeouts>;
  /** Open connections at most; more are closed at once (default 1024). */
  readonly maxConnections?: number;
  readonly confidenceFloor?: number;
  /** Fastify logger setting (default false; main.ts turns it on). */
  readonly logger?: boolean | { level: string };
  /** Collect prom-client's process metrics (default true). */
  readonly defaultMetrics?: boolean;
  /**
   * Give freed native memory back after a load peak (memory-trim.ts): main.ts passes the addon's
   * malloc_trim; default none.
   */
  readonly memoryTrim?: { readonly trim: TrimFn; readonly quietMs?: number } | null;
}

/** Paths and their methods, for 405 + Allow (HEAD comes with every GET). */
const ROUTES: ReadonlyMap<string, string> = new Map([
  ['/forecast', 'POST'],
  ['/recommend', 'POST'],
  ['/health', 'GET, HEAD'],
  ['/ready', 'GET, HEAD'],
  ['/status', 'GET, HEAD'],
  ['/metrics', 'GET, HEAD'],
]);
/** Kubernetes probes and Prometheus scrapes carry no token; neither route says anything about callers. */
const OPEN_ROUTES = new Set(['/health', '/ready', '/metrics']);

export function buildServer(options: ServerOptions): FastifyInstance {
  const settings = jobSettings(options.model.maxHorizonMinutes, options);
  const bodyLimit = settings.bodyLimit;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const app = Fastify({
    bodyLimit,
    logger: options.logger ?? false,
    // Per-request log lines would dominate the cost of a health check under load; errors and
    // lifecycle events are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify's own 503 while closing is its shape, not ours, and skips the hooks (no nosniff, not
    // counted): the onRequest hook below answers those requests instead.
    return503OnClosing: false,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: {
      headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
      connectionsCheckingInterval: timeouts.checkIntervalMs,
      // Node answers an HTTP/1.1 request without Host with a bare 400 (no body); the onRequest
      // hook below refuses it in the documented shape instead.
      requireHostHeader: false,
    },
    clientErrorHandler: (error, socket) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNRESET' || socket.destroyed) return;
      const { status, body } = clientErrorResponse({ code });
      const text = JSON.stringify(body);
      // Counted like any answer: smuggling attempts and slow clients belong on the dashboard too.
      ctx.metrics.requests.inc({ route: 'unparsed', method: 'unknown', status: String(status) });
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(text)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${text}`,
        );
      }
      socket.destroy(error);
    },
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = toErrorResponse(error, bodyLimit);
      // The reply is typed for any route's schema; ours have none.
      void (reply as FastifyReply).code(status).header('x-content-type-options', 'nosniff').send(body);
    },
  });
  app.server.maxConnections = options.maxConnections ?? 1024;
  // An Expect other than 100-continue: Node's own answer is a bare 417; this one has our shape.
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const expectation = String(request.headers.expect ?? '').slice(0, 40);
    const path = request.url?.split('?')[0] ?? '';
    ctx.metrics.requests.inc({
      route: ROUTES.has(path) ? path : 'unmatched',
      method: request.method ?? 'unknown',
      status: '417',
    });
    writeRawError(response, 417, {
      error: 'expectation-failed',
      message: `Expect: ${JSON.stringify(expectation)} is not supported (only 100-continue)`,
    });
  });

  const runner = options.runner;
  const maxInFlight = options.maxInFlight ?? 1024;
  const admission = new Admission({
    // Never above the hard cap: --max-in-flight 1 means one at a time, whatever the worker count.
    minInFlight: Math.min(options.minInFlight ?? 2 * runner.parallelism, maxInFlight),
    maxInFlight,
    maxBytesInFlight: options.maxBodyBytesInFlight ?? DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
    ...(options.overBudgetRate !== undefined ? { overBudgetRate: options.overBudgetRate } : {}),
  });
  const metrics = new ServiceMetrics(
    options.model,
    {
      inFlight: () => admission.inFlight,
      bytesInFlight: () => admission.bytesInFlight,
      positionMs: () => admission.positionMs,
      admissionInflation: () => admission.inflation,
      workersReady: () => runner.ready,
      batches: () => runner.batchStats(),
    },
    { defaultMetrics: options.defaultMetrics },
  );
  const memoryTrim = options.memoryTrim ?? null;
  const memoryTrimmer =
    memoryTrim === null
      ? null
      : new MemoryTrimmer({
          trim: memoryTrim.trim,
          quietMs: memoryTrim.quietMs ?? DEFAULT_TRIM_QUIET_MS,
          inFlight: () => admission.inFlight,
          onTrim: (released, ms) => {
            metrics.memoryTrims.inc({ released: String(released) });
            app.log.debug(
              `malloc_trim after a quiet spell: ${released ? 'memory returned' : 'nothing to return'} in ${ms.toFixed(1)} ms`,
            );
          },
        });
  const ctx: ServiceContext = {
    runner,
    model: options.model,
    admission,
    metrics,
    memoryTrimmer,
    limits: settings.limits,
    defaults: settings.defaults,
    bodyLimit,
    confidenceFloor: options.confidenceFloor ?? DEFAULT_CONFIDENCE_FLOOR,
    state: newServiceState(),
  };
  app.decorate('service', ctx);

  // The body stays bytes here: the job parses it on a worker thread. Only JSON is accepted.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined)
      throw ApiError.badRequest([{ field: 'host', message: 'an HTTP/1.1 request must carry a Host header' }]);
  });

  // Once app.close() has begun, a request can still arrive on a connection that was not idle (its
  // headers were arriving when the listener closed): refuse it like any other error, before auth.
  app.addHook('onRequest', async (_request, reply) => {
    if (!ctx.state.closing) return undefined;
    return reply
      .code(503)
      .header('retry-after', '1')
      .send({ error: 'shutting-down', message: 'the service is shutting down; retry on another instance' });
  });

  const auth = options.auth ?? null;
  if (auth !== null) {
    app.addHook('onRequest', async (request, reply) => {
      if (OPEN_ROUTES.has(request.routeOptions.url ?? '')) return;
      if (!auth.accepts(request.headers.authorization)) {
        void reply.header('www-authenticate', 'Bearer realm="forecast-service"');
        throw new ApiError(401, 'unauthorized', 'send Authorization: Bearer <token>');
      }
    });
  }

  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    // While draining, every response closes its connection, so clients reconnect elsewhere and a
    // keep-alive socket cannot hold app.close() open.
    if (ctx.state.draining) void reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { route, method: request.method, status: String(reply.statusCode) };
    ctx.metrics.requests.inc(labels);
    ctx.metrics.latency.observe(labels, reply.elapsedTime / 1000);
    ctx.state.served++;
  });

  // Closing (app.close(), from a signal or a test): requests being forecast finish. Node closes the
  // sockets that are idle when close() starts; this sweep closes those that go idle later, and —
  // once no forecast has been running for two sweeps — every remaining socket: one holding a
  // request that never finished arriving (a load generator stopped mid-body) would otherwise hold
  // close() until its request timeout.
  let sweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    ctx.state.draining = true;
    ctx.state.closing = true;
    let quiet = 0;
    sweep = setInterval(() => {
      app.server.closeIdleConnections();
      quiet = ctx.admission.running === 0 ? quiet + 1 : 0;
      if (quiet >= 2) app.server.closeAllConnections();
    }, 100);
    sweep.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    memoryTrimmer?.stop();
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error, bodyLimit);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.code(status).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allow = ROUTES.get(path);
    if (allow !== undefined) {
      return reply
        .code(405)
        .header('allow', allow)
        .send({ error: 'method-not-allowed', message: `${path} accepts ${allow}, not ${request.method}` });
    }
    return reply.code(404).send({
      error: 'not-found',
      message: `no route ${request.method} ${path.slice(0, 100)}; see GET /status for the endpoints`,
    });
  });

  registerHealthRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerForecastRoutes(app, ctx);
  return app;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
};

/** An error answered by Node's server before Fastify sees the request, in the documented shape. */
function writeRawError(response: ServerResponse, status: number, body: ErrorBody): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    connection: 'close',
  });
  response.end(text);
}

declare module 'fastify' {
  interface FastifyInstance {
    service: ServiceContext;
  }
}
