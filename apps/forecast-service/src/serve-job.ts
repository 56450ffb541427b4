/**
 * The HTTP side of a forecast request: admission before the body is read, the bytes handed to a
 * JobRunner, the outcome written back and recorded. Routes (routes/forecast.ts) are this plus a
 * URL and a job kind.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import { epochNow } from './clock.js';
import type { ServiceContext } from './context.js';
import type { Ticket } from './admission.js';
import type { JobKind, JobOutcome } from './work/forecast-job.js';

/** Header a caller may use to state its latency budget for admission (ms). */
export const BUDGET_HEADER = 'x-latency-budget-ms';

declare module 'fastify' {
  interface FastifyRequest {
    admissionTicket?: Ticket;
  }
}

/**
 * onRequest hook of the forecast routes: refuses compressed or non-UTF-8 bodies (415, or 501 for a
 * transfer coding) and
 * overload (429 + Retry-After), both before a byte of the body is read. An admitted request
 * holds its place until its response is finished or its connection closes.
 */
export function admitRequest(ctx: ServiceContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    checkEncoding(request);
    const budgetMs = budgetOf(request, ctx);
    const decision = ctx.admission.tryAdmit(budgetMs, bodyBytesOf(request, ctx.bodyLimit));
    if (!decision.admitted) {
      // Sent from here rather than thrown: under overload this is the hottest path of the HTTP
      // thread (hundreds a second from clients that ignore Retry-After), and an Error's stack
      // capture plus the error handler cost more than the answer itself.
      return reply
        .code(429)
        .header('retry-after', String(decision.retryAfterSeconds))
        .type('application/json; charset=utf-8')
        .send(
          `{"error":"overloaded","message":${JSON.stringify(`${decision.reason}; retry after ${decision.retryAfterSeconds} s`)}}`,
        );
    }
    const ticket = decision.ticket;
    request.admissionTicket = ticket;
    // 'close' fires once the response is finished or the connection is gone, whichever is first.
    reply.raw.once('close', () => {
      ctx.admission.complete(ticket, reply.raw.writableFinished && reply.statusCode === 200);
      ctx.memoryTrimmer?.requestFinished();
    });
    return undefined;
  };
}

/**
 * What the body will hold in memory: its Content-Length (a larger one is refused with 413 before
 * it is read, so at most the limit), the whole limit when it is chunked, nothing without a body.
 */
function bodyBytesOf(request: FastifyRequest, bodyLimit: number): number {
  const length = request.headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return Number.isSafeInteger(n) && n >= 0 ? Math.min(n, bodyLimit) : bodyLimit;
  }
  return request.headers['transfer-encoding'] === undefined ? 0 : bodyLimit;
}

function budgetOf(request: FastifyRequest, ctx: ServiceContext): number {
  const raw = request.headers[BUDGET_HEADER];
  if (raw === undefined) return ctx.defaults.budgetMs;
  const ms = Number(raw);
  if (!(Number.isFinite(ms) && ms > 0 && ms <= ctx.limits.maxBudgetMs)) {
    throw ApiError.badRequest([
      {
        field: BUDGET_HEADER,
        message: `must be a number of milliseconds in (0, ${ctx.limits.maxBudgetMs}], got ${JSON.stringify(raw).slice(0, 40)}`,
      },
    ]);
  }
  return ms;
}

function checkEncoding(request: FastifyRequest): void {
  // Node decodes chunked and nothing else: a body sent with another transfer coding (gzip, …)
  // would reach the JSON parser still coded (RFC 9112 §6.1: 501).
  const transfer = request.headers['transfer-encoding'];
  if (transfer !== undefined && !/^\s*chunked\s*$/i.test(transfer)) {
    throw new ApiError(
      501,
      'not-implemented',
      `Transfer-Encoding ${JSON.stringify(transfer.slice(0, 40))} is not supported; send the JSON uncompressed (chunked is fine)`,
    );
  }
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new ApiError(
      415,
      'unsupported-media-type',
      `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not accepted; send the JSON uncompressed`,
    );
  }
  const charset = /;\s*charset=("?)([^";]+)\1/i.exec(request.headers['content-type'] ?? '')?.[2];
  if (charset !== undefined && !/^utf-?8$/i.test(charset.trim())) {
    throw new ApiError(
      415,
      'unsupported-media-type',
      `charset ${JSON.stringify(charset.slice(0, 40))} is not accepted; send UTF-8 JSON`,
    );
  }
}

/** Handler of a forecast route: run the job, send its outcome, record what it served. */
export async function serveJob(
  ctx: ServiceContext,
  kind: JobKind,
  request: FastifyRequest<{ Querystring: { format?: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const bytes = request.body;
  if (!(bytes instanceof Uint8Array)) throw new ApiError(400, 'bad-request', 'the body is empty; send a JSON object');
  const now = epochNow();
  const abort = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) abort.abort();
  };
  reply.raw.once('close', onClose);
  if (request.admissionTicket !== undefined) ctx.admission.start(request.admissionTicket);
  const outcome = await ctx.runner.run(
    {
      kind,
      // A copy the runner may transfer to a worker (Fastify's buffer may be a slice of a shared pool).
      body: new Uint8Array(bytes),
      ...(request.query.format !== undefined ? { format: request.query.format } : {}),
      receivedAt: now - reply.elapsedTime,
      queuedAt: now,
    },
    abort.signal,
  );
  if (outcome === null) {
    // Nobody is listening; the answer is for the metrics and the log only.
    ctx.metrics.abandoned.inc();
    const labels = { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: '499' };
    ctx.metrics.requests.inc(labels);
    ctx.metrics.latency.observe(labels, reply.elapsedTime / 1000);
    throw new ApiError(499, 'client-closed-request', 'the client closed the connection before the forecast started');
  }
  reply.raw.off('close', onClose);
  record(ctx, outcome);
  if (outcome.failure !== undefined) request.log.error({ failure: outcome.failure }, 'forecast failed');
  return reply.code(outcome.status).type(outcome.contentType).send(outcome.body);
}

function record(ctx: ServiceContext, outcome: JobOutcome): void {
  const served = outcome.served;
  if (served !== null) {
    ctx.metrics.queueWait.observe(served.queueMs / 1000);
    ctx.metrics.forecastPaths.inc({ path: served.path });
    ctx.metrics.kUsed.observe(served.kUsed);
    if (served.kLowered) ctx.metrics.kLowered.inc();
    if (served.action !== null) ctx.metrics.recommendations.inc({ action: served.action });
    ctx.state.lastForecastAt = new Date().toISOString();
    ctx.state.forecastsServed++;
  }
  if (outcome.status === 503) {
    ctx.state.modelFailures++;
    ctx.state.lastModelFailureAt = Date.now();
  }
}
