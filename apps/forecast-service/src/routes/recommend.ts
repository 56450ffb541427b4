/**
 * POST /recommend: forecast (as /forecast) → @tsfm/provisioning's recommendation and demand
 * report. JSON by default; `?format=markdown` for the human-readable view.
 */
import {
  parseRecommendOptions,
  recommend,
  renderDemandMarkdown,
  renderRecommendationMarkdown,
  type MetricForecast,
} from '@tsfm/provisioning';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-error.js';
import { readSeries, recordForecast, runForecast } from '../forecast-call.js';
import { parseBody } from '../parse-body.js';
import { recommendBodySchema } from '../schemas.js';
import { inFlight, type ServiceContext } from '../server.js';

export function registerRecommendRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const schema = recommendBodySchema(ctx.limits);
  app.post<{ Querystring: { format?: string } }>('/recommend', async (request, reply) => {
    const format = request.query.format ?? 'json';
    if (format !== 'json' && format !== 'markdown') {
      throw ApiError.badRequest([
        { field: 'format', message: `query parameter must be json or markdown, got ${JSON.stringify(format)}` },
      ]);
    }
    const body = parseBody(schema, request.body);
    const options = parseRecommendOptions(body.options ?? {});
    // The recommender reads its longest horizon and its predicted-rate window.
    const needed = Math.max(options.horizons[options.horizons.length - 1], options.demand.predictMinutes);
    const horizon = body.horizon ?? needed;
    if (horizon < needed) {
      throw ApiError.badRequest([
        {
          field: 'horizon',
          message: `is ${horizon} but the recommender reads ${needed} minutes (options.horizons / options.demand.predictMinutes); omit horizon to use ${needed}`,
        },
      ]);
    }
    const series = readSeries(body);
    const metrics = body.metrics ?? Object.keys(body.current);
    if (metrics.length === 0)
      throw ApiError.badRequest([
        {
          field: 'current',
          message: 'is empty; give the current allocation of each metric to recommend for, e.g. {"cpu": 2}',
        },
      ]);
    const unknown = metrics.filter((m) => !(m in series.metrics));
    if (unknown.length > 0) {
      throw ApiError.badRequest([
        {
          field: `current.${unknown[0]}`,
          message: `${unknown.join(', ')} has no history (history has ${Object.keys(series.metrics).join(', ')})`,
        },
      ]);
    }
    const { value: result, queueMs } = await inFlight(ctx, request, () =>
      runForecast(ctx.harness, { ...body, horizon, metrics }, series, ctx.defaults),
    );
    const forecasts: Record<string, MetricForecast> = {};
    for (const m of result.metrics) forecasts[m] = result.quantiles[m];
    const rec = recommend({
      alpha: result.alpha,
      forecasts,
      current: body.current,
      history: series.metrics,
      options: body.options ?? {},
    });
    ctx.metrics.recommendations.inc({ action: rec.status === 'ok' ? rec.action : 'cold-start' });
    const latencyMs = reply.elapsedTime;
    recordForecast(ctx, '/recommend', result, queueMs, latencyMs);
    if (format === 'markdown') {
      const demand = rec.status === 'ok' ? rec.demand : rec;
      return reply
        .type('text/markdown; charset=utf-8')
        .send(`${renderRecommendationMarkdown(rec)}\n${renderDemandMarkdown(demand)}`);
    }
    return {
      recommendation: rec,
      demand: rec.status === 'ok' ? rec.demand : null,
      forecast: {
        path: result.path,
        horizon: result.horizon,
        alpha: result.alpha,
        tier: result.tier,
        winner: Object.fromEntries(result.metrics.map((m) => [m, result.winner[m].key])),
        kUsed: result.kUsed,
        timings: result.timings,
      },
      queueMs,
      latencyMs,
    };
  });
}
