/**
 * POST /forecast: history (JSON arrays or a Prometheus range response) → harness forecast.
 * POST /recommend: the same forecast → @tsfm/provisioning's recommendation and demand report
 * (JSON, or `?format=markdown`). The work itself is work/forecast-job.ts, on a worker thread.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { admitRequest, serveJob } from '../serve-job.js';

export function registerForecastRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const onRequest = admitRequest(ctx);
  app.post<{ Querystring: { format?: string } }>('/forecast', { onRequest }, (request, reply) =>
    serveJob(ctx, 'forecast', request, reply),
  );
  app.post<{ Querystring: { format?: string } }>('/recommend', { onRequest }, (request, reply) =>
    serveJob(ctx, 'recommend', request, reply),
  );
}
