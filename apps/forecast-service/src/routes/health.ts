/**
 * GET /health (liveness), GET /ready (readiness) and GET /status.
 *
 * Liveness and readiness answer different questions. /health: is the process able to answer at
 * all (a failure makes Kubernetes restart it) — it stays 200 while draining, since a restart then
 * would only cut the drain short. /ready: should traffic be sent here — 503 from the moment a
 * SIGTERM arrives (so endpoints drop the pod during the pre-stop delay, while the listener still
 * serves) and while no forecast worker is up.
 *
 * /status reports state, not callers: no tenant ids, metric names or file paths of earlier
 * requests (it once echoed the previous caller's tenant and metrics to anyone who asked).
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';

export type ServiceStateName = 'RUNNING' | 'DEGRADED' | 'ERROR';

/** A model failure keeps the service DEGRADED for this long after it happened. */
export const MODEL_FAILURE_MEMORY_MS = 60_000;

export function serviceState(ctx: ServiceContext): { state: ServiceStateName; reasons: string[] } {
  const reasons: string[] = [];
  const { ready, parallelism } = ctx.runner;
  if (ready === 0) return { state: 'ERROR', reasons: ['no forecast worker is running'] };
  if (ready < parallelism) reasons.push(`${ready} of ${parallelism} forecast workers are running`);
  const failedAt = ctx.state.lastModelFailureAt;
  if (failedAt !== null && Date.now() - failedAt < MODEL_FAILURE_MEMORY_MS)
    reasons.push('the model failed on a request in the last minute');
  const controller = ctx.state.controller;
  if (controller !== null && controller.lastLoopOk === false)
    reasons.push('the controller could not read every target from Prometheus in its last loop');
  return { state: reasons.length > 0 ? 'DEGRADED' : 'RUNNING', reasons };
}

export function registerHealthRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/health', async () => ({ status: ctx.state.draining ? 'draining' : 'ok' }));

  app.get('/ready', async (_request, reply) => {
    if (ctx.state.draining) return reply.code(503).send({ ready: false, reason: 'draining (SIGTERM received)' });
    if (ctx.runner.ready === 0) return reply.code(503).send({ ready: false, reason: 'no forecast worker is running' });
    return { ready: true };
  });

  app.get('/status', async () => {
    const { state, reasons } = serviceState(ctx);
    return {
      state,
      reasons,
      ready: !ctx.state.draining && ctx.runner.ready > 0,
      draining: ctx.state.draining,
      model: ctx.model,
      confidenceThreshold: ctx.confidenceFloor,
      forecastAvailable: ctx.state.forecastsServed > 0,
      lastForecastAt: ctx.state.lastForecastAt,
      forecastsServed: ctx.state.forecastsServed,
      controller: ctx.state.controller,
      workers: { configured: ctx.runner.parallelism, ready: ctx.runner.ready },
      startedAt: ctx.state.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - ctx.state.startedAt.getTime()) / 100) / 10,
      requestsServed: ctx.state.served,
      inFlight: ctx.admission.inFlight,
      // How strict admission is now: what an SRE reads when 429s rise (docs/service.md, How a request is served).
      admission: {
        minInFlight: ctx.admission.minInFlight,
        overBudgetRate: ctx.admission.overBudgetRate,
        inflation: ctx.admission.inflation,
        positionMs: ctx.admission.positionMs,
      },
      defaults: ctx.defaults,
      limits: {
        ...ctx.limits,
        bodyLimitBytes: ctx.bodyLimit,
        maxInFlight: ctx.admission.maxInFlight,
        maxBodyBytesInFlight: ctx.admission.maxBytesInFlight,
      },
      endpoints: [
        'POST /forecast',
        'POST /recommend[?format=markdown]',
        'GET /health',
        'GET /ready',
        'GET /status',
        'GET /metrics',
      ],
    };
  });
}
