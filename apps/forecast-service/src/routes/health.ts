/** GET /health (liveness + draining) and GET /status (model, uptime, last forecast, limits). */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../server.js';

export function registerHealthRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/health', async (_request, reply) => {
    // 503 while draining so a load balancer stops sending traffic before the socket closes.
    if (ctx.state.draining) return reply.code(503).send({ status: 'draining' });
    return { status: 'ok' };
  });

  app.get('/status', async () => ({
    status: ctx.state.draining ? 'draining' : 'ok',
    model: ctx.model,
    startedAt: ctx.state.startedAt.toISOString(),
    uptimeSeconds: Math.round((Date.now() - ctx.state.startedAt.getTime()) / 100) / 10,
    requestsServed: ctx.state.served,
    inFlight: ctx.state.inFlight,
    lastForecast: ctx.state.lastForecast,
    defaults: ctx.defaults,
    limits: { ...ctx.limits, bodyLimitBytes: ctx.bodyLimit, maxInFlight: ctx.maxInFlight },
    endpoints: ['POST /forecast', 'POST /recommend[?format=markdown]', 'GET /health', 'GET /status', 'GET /metrics'],
    node: process.version,
  }));
}
