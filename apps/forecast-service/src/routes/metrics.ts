/** GET /metrics: Prometheus text exposition of this server's registry. */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';

export function registerMetricsRoute(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
