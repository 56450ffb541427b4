/** POST /forecast: history (JSON arrays or a Prometheus range response) → harness forecast. */
import type { FastifyInstance } from 'fastify';
import { forecastJson, readSeries, runForecast } from '../forecast-call.js';
import { parseBody } from '../parse-body.js';
import { forecastBodySchema } from '../schemas.js';
import { inFlight, type ServiceContext } from '../server.js';

export function registerForecastRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const schema = forecastBodySchema(ctx.limits);
  app.post('/forecast', async (request, reply) => {
    const body = parseBody(schema, request.body);
    const series = readSeries(body);
    const { value: result, queueMs } = await inFlight(ctx, request, () => runForecast(ctx.harness, body, series, ctx.defaults));
    ctx.metrics.queueWait.observe(queueMs / 1000);
    ctx.metrics.forecastPaths.inc({ path: result.path });
    ctx.metrics.kUsed.observe(result.kUsed);
    const latencyMs = reply.elapsedTime;
    ctx.state.lastForecast = {
      at: new Date().toISOString(),
      route: '/forecast',
      tenantId: result.tenantId,
      horizon: result.horizon,
      alpha: result.alpha,
      metrics: result.metrics,
      path: result.path,
      winner: result.tenantWinner ?? result.winner[result.metrics[0]]?.key ?? null,
      kUsed: result.kUsed,
      latencyMs,
    };
    return forecastJson(result, latencyMs, queueMs);
  });
}
