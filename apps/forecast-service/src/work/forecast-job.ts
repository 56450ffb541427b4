/**
 * One request's forecast work, from the body bytes to the response bytes: JSON parse, validation,
 * caps, the harness, the recommender, serialisation. It runs wherever a JobRunner puts it — a
 * worker thread in the service (job-runner.ts), the calling thread in tests — and never throws:
 * every failure becomes an outcome with the documented error shape.
 *
 * Parsing happens here rather than on the HTTP thread because JSON.parse of a week of minutes
 * (100 KB) costs as much as the rest of the request's JavaScript, and the HTTP thread must stay
 * free to answer /health and to refuse load.
 */
import type { Harness, HarnessResult } from '@tsfm/harness';
import {
  parseRecommendOptions,
  recommend,
  renderRecommendationMarkdown,
  type MetricForecast,
} from '@tsfm/provisioning';
import { ApiError, toErrorResponse, type ErrorBody } from '../api-error.js';
import { epochNow } from '../clock.js';
import {
  forecastJson,
  metricList,
  missingMetrics,
  readSeries,
  runForecast,
  type ForecastDefaults,
} from './forecast-call.js';
import { parseBody } from './parse-body.js';
import type { RequestLimits } from './request-limits.js';
import { forecastBodySchema, recommendBodySchema } from './schemas.js';

export type JobKind = 'forecast' | 'recommend';

export interface Job {
  readonly kind: JobKind;
  /** The request body as received (UTF-8 JSON). */
  readonly body: Uint8Array;
  /** /recommend's `?format=` (json or markdown). */
  readonly format?: string;
  /** When the request arrived, epoch ms (clock.ts): `latencyMs` counts from here. */
  readonly receivedAt: number;
  /** When it was handed to a runner: `queueMs` counts from here to the start of the work. */
  readonly queuedAt: number;
}

/** What the HTTP side records about a served forecast (metrics, /status); no tenant data. */
export interface ServedForecast {
  readonly path: string;
  readonly kUsed: number;
  readonly kLowered: boolean;
  readonly queueMs: number;
  /** The recommendation's action (cold-start when there was none); null for /forecast. */
  readonly action: string | null;
}

export interface JobOutcome {
  readonly status: number;
  readonly contentType: string;
  /** A string from the job itself; bytes once it crossed from a worker thread. */
  readonly body: string | Uint8Array;
  readonly served: ServedForecast | null;
  /** For 5xx outcomes: the cause, for the service log (never sent to the client). */
  readonly failure?: string;
}

export interface JobSettings {
  readonly limits: RequestLimits;
  readonly defaults: ForecastDefaults;
  readonly bodyLimit: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const decoder = new TextDecoder('utf-8', { fatal: true });

export class ForecastJobs {
  readonly #harness: Harness;
  readonly #settings: JobSettings;
  readonly #forecastSchema: ReturnType<typeof forecastBodySchema>;
  readonly #recommendSchema: ReturnType<typeof recommendBodySchema>;

  constructor(harness: Harness, settings: JobSettings) {
    this.#harness = harness;
    this.#settings = settings;
    this.#forecastSchema = forecastBodySchema(settings.limits);
    this.#recommendSchema = recommendBodySchema(settings.limits);
  }

  async run(job: Job): Promise<JobOutcome> {
    const startedAt = epochNow();
    try {
      const value = parseJson(job.body);
      return job.kind === 'forecast'
        ? await this.#forecast(value, job, startedAt - job.queuedAt)
        : await this.#recommend(value, job, startedAt - job.queuedAt);
    } catch (error) {
      return errorOutcome(error, this.#settings.bodyLimit);
    }
  }

  async #forecast(value: unknown, job: Job, queueMs: number): Promise<JobOutcome> {
    const body = parseBody(this.#forecastSchema, value);
    const series = readSeries(body, this.#settings.limits);
    const result = await runForecast(this.#harness, body, series, this.#settings.defaults);
    return {
      status: 200,
      contentType: JSON_TYPE,
      body: withLatency(JSON.stringify(forecastJson(result, round(queueMs))), job.receivedAt),
      served: served(result, queueMs, null),
    };
  }

  async #recommend(value: unknown, job: Job, queueMs: number): Promise<JobOutcome> {
    const format = job.format ?? 'json';
    if (format !== 'json' && format !== 'markdown') {
      throw ApiError.badRequest([
        { field: 'format', message: `query parameter must be json or markdown, got ${JSON.stringify(format)}` },
      ]);
    }
    const body = parseBody(this.#recommendSchema, value);
    const options = body.options ?? {};
    // Validated by @tsfm/provisioning before any model time is spent on the request.
    const { horizons, demand } = parseRecommendOptions(options);
    const needed = Math.max(horizons[horizons.length - 1], demand.predictMinutes);
    const horizon = body.horizon ?? needed;
    if (horizon < needed) {
      throw ApiError.badRequest([
        {
          field: 'horizon',
          message: `is ${horizon} but the recommender reads ${needed} minutes (options.horizons / options.demand.predictMinutes); omit horizon to use ${needed}`,
        },
      ]);
    }
    const series = readSeries(body, this.#settings.limits);
    const metrics = body.metrics ?? Object.keys(body.current);
    if (metrics.length === 0)
      throw ApiError.badRequest([
        {
          field: 'current',
          message: 'is empty; give the current allocation of each metric to recommend for, e.g. {"cpu": 2}',
        },
      ]);
    const unknown = missingMetrics(series, metrics);
    if (unknown.length > 0) {
      throw ApiError.badRequest([
        {
          field: `current.${unknown[0].slice(0, 40)}`,
          message: `${unknown.map((m) => m.slice(0, 40)).join(', ')} has no history (history has ${metricList(series)})`,
        },
      ]);
    }
    const result = await runForecast(this.#harness, { ...body, horizon, metrics }, series, this.#settings.defaults);
    const forecasts: Record<string, MetricForecast> = {};
    // The recommender provisions the peak of the α-quantile path; the harness calibrated that peak
    // (result.peak: conformal on the request's validation windows), so the recommender adds it.
    for (const m of result.metrics) {
      const peak = result.peak[m];
      forecasts[m] = { ...result.quantiles[m], targetShift: peak.value - peak.raw };
    }
    const rec = recommend({
      alpha: result.alpha,
      forecasts,
      current: body.current,
      history: Object.fromEntries(series.metrics),
      options,
    });
    const action = rec.status === 'ok' ? rec.action : 'cold-start';
    if (format === 'markdown') {
      return {
        status: 200,
        contentType: 'text/markdown; charset=utf-8',
        body: renderRecommendationMarkdown(rec),
        served: served(result, queueMs, action),
      };
    }
    const answer = {
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
      queueMs: round(queueMs),
    };
    return {
      status: 200,
      contentType: JSON_TYPE,
      body: withLatency(JSON.stringify(answer), job.receivedAt),
      served: served(result, queueMs, action),
    };
  }
}

function served(result: HarnessResult, queueMs: number, action: string | null): ServedForecast {
  return { path: result.path, kUsed: result.kUsed, kLowered: result.kLowered, queueMs, action };
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * `latencyMs` is measured after the answer is serialised, so it covers everything the service
 * does but writing the bytes: the body is closed with it here rather than serialised twice.
 */
function withLatency(json: string, receivedAt: number): string {
  return `${json.slice(0, -1)},"latencyMs":${round(epochNow() - receivedAt)}}`;
}

function parseJson(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw ApiError.badRequest([{ field: '(body)', message: 'the body is not valid UTF-8' }]);
  }
  if (text.trim() === '') {
    throw new ApiError(400, 'bad-request', 'the body is empty; send a JSON object');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'bad-request', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

export function errorOutcome(error: unknown, bodyLimit: number): JobOutcome {
  const { status, body } = toErrorResponse(error, bodyLimit);
  return {
    status,
    contentType: JSON_TYPE,
    body: JSON.stringify(body satisfies ErrorBody),
    served: null,
    ...(status >= 500 ? { failure: error instanceof Error ? (error.stack ?? error.message) : String(error) } : {}),
  };
}
