/** POST /forecast: history (JSON arrays or a Prometheus range response) → harness forecast. */
import type { FastifyInstance } from 'fastify';
import { forecastJson, readSeries, recordForecast, runForecast } from '../forecast-call.js';
import { parseBody } from '../parse-body.js';
import { forecastBodySchema } from '../schemas.js';
import { inFlight, type ServiceContext } from '../server.js';

export function registerForecastRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const schema = forecastBodySchema(ctx.limits);
  app.post('/forecast', async (request, reply) => {
    const body = parseBody(schema, request.body);
    const series = readSeries(body);
    const { value: result, queueMs } = await inFlight(ctx, request, () =>
      runForecast(ctx.harness, body, series, ctx.defaults),
    );
    const latencyMs = reply.elapsedTime;
    recordForecast(ctx, '/forecast', result, queueMs, latencyMs);
    return forecastJson(result, latencyMs, queueMs);
  });
}
