import { z } from 'zod';
import { jsonErrorOffset } from './json-error-offset.js';
import { failIn, type Fail } from './load-errors.js';
import type { LoadedSeries } from './loaded-types.js';
import { parseNumericCell, type NonFinitePolicy } from './numeric-cells.js';
import {
  REGULARISE_DEFAULTS,
  inferModalStep,
  regularise,
  type RegulariseOptions,
  type StepEvidence,
} from './regularise.js';
import { DEFAULT_SOURCE, readTextFile, stripBom } from './text-input.js';

/**
 * Prometheus `/api/v1/query_range` responses: `{status: "success", data: {resultType: "matrix",
 * result: [{metric: {…labels}, values: [[<unix seconds>, "<value>"], …]}]}}` → one series per
 * label set.
 *
 * Value strings are Go floats: "NaN", "+Inf" and "-Inf" follow `nonFinite` (default: missing).
 * Prometheus leaves a point out when the series is absent at that evaluation step, so absent
 * points become NaN gaps on the grid.
 *
 * The step: the query's `step` is not in the response. Pass it as `stepMs` when known; otherwise
 * it is the modal interval pooled over ALL series of the response (they were evaluated on one
 * grid), which also lets a series with a single sample load. All series share one grid phase,
 * anchored at the earliest sample of the response, so they can be stacked into a tenant.
 * An empty `result` (the query matched nothing) is a valid response and gives an empty list.
 */
export interface PrometheusRangeOptions extends RegulariseOptions {
  readonly source?: string;
  readonly nonFinite?: NonFinitePolicy;
}

/** One series of a range query, with its labels. */
export interface PrometheusSeries extends LoadedSeries {
  /** `metric{label="value",…}` with labels sorted: a stable, readable key. */
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
}

const Envelope = z.object({ status: z.string(), errorType: z.string().optional(), error: z.string().optional() });
const ResultType = z.object({ data: z.object({ resultType: z.string() }) });
const Sample = z.tuple([z.number(), z.string()]);
const RangeResponse = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('matrix'),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(Sample) })),
  }),
});
type RangeSeries = z.infer<typeof RangeResponse>['data']['result'][number];

export async function loadPrometheusRange(
  path: string,
  options: PrometheusRangeOptions = {},
): Promise<PrometheusSeries[]> {
  return parsePrometheusRange(await readTextFile(path), { source: path, ...options });
}

/** Accepts the response text, or an already parsed JSON value. */
export function parsePrometheusRange(input: unknown, options: PrometheusRangeOptions = {}): PrometheusSeries[] {
  const source = options.source ?? DEFAULT_SOURCE;
  const fail = failIn(source);
  const result = validateResponse(typeof input === 'string' ? parseJson(input, fail) : input, fail);
  if (result.length === 0) return [];

  const nonFinite = options.nonFinite ?? 'nan';
  const samples = result.map((series, s) => {
    const path = `data.result[${s}].values`;
    const times = series.values.map(([t]) => Math.round(t * 1000));
    const values = series.values.map(([, v], i) => parseNumericCell(v, nonFinite, { field: `${path}[${i}][1]` }, fail));
    return { times, values, locate: (i: number) => ({ field: `${path}[${i}]` }) };
  });

  const stepMs =
    options.stepMs ??
    inferModalStep(samples, source, options.minModalShare ?? REGULARISE_DEFAULTS.minModalShare).stepMs;
  const origin = options.origin ?? earliestSample(samples);

  return result.flatMap((series, s) => {
    const { times, values, locate } = samples[s];
    if (times.length === 0) return []; // a label set with no samples in the range has no grid to live on
    const grid = regularise({ source, times, channels: [values], locate }, { ...options, stepMs, origin });
    return [
      {
        source,
        id: seriesId(series.metric),
        labels: series.metric,
        start: grid.start,
        stepMs,
        values: grid.channels[0],
        report: grid.report,
      },
    ];
  });
}

function earliestSample(series: readonly StepEvidence[]): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const { times } of series) if (times.length > 0 && times[0] < earliest) earliest = times[0];
  return earliest;
}

function parseJson(text: string, fail: Fail): unknown {
  const body = stripBom(text);
  if (body.trim() === '') fail({ line: 1 }, 'empty-file', 'the file is empty');
  try {
    return JSON.parse(body);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = jsonErrorOffset(body);
    return fail(offset < 0 ? {} : { line: lineAt(body, offset) }, 'bad-json', `not valid JSON (${message})`);
  }
}

function validateResponse(json: unknown, fail: Fail): RangeSeries[] {
  // Check the envelope first, so a failed query or an instant query gets a message about what it
  // is, rather than a list of schema mismatches.
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return failOnIssues(envelope.error, fail, 'not a Prometheus API response');
  const { status, errorType, error } = envelope.data;
  if (status === 'error') {
    fail({ field: 'status' }, 'query-failed', `the query failed: ${errorType ?? 'error'}: ${error ?? '(no message)'}`);
  }
  if (status !== 'success') fail({ field: 'status' }, 'bad-shape', `status is "${status}", expected "success"`);
  const typed = ResultType.safeParse(json);
  if (!typed.success) return failOnIssues(typed.error, fail, 'not a Prometheus API response');
  const { resultType } = typed.data.data;
  if (resultType !== 'matrix') {
    fail(
      { field: 'data.resultType' },
      'wrong-result-type',
      `resultType is "${resultType}", expected "matrix" (a /api/v1/query_range response)`,
    );
  }
  const parsed = RangeResponse.safeParse(json);
  if (!parsed.success) return failOnIssues(parsed.error, fail, 'not a range query response');
  return parsed.data.data.result;
}

function failOnIssues(error: z.ZodError, fail: Fail, what: string): never {
  const issue = error.issues[0];
  const field = issue.path.length === 0 ? '(root)' : formatPath(issue.path);
  return fail({ field }, 'bad-shape', `${what}: ${issue.message}`);
}

/** `['data', 'result', 0, 'values']` → `data.result[0].values`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

function seriesId(labels: Readonly<Record<string, string>>): string {
  const name = labels.__name__ ?? '';
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${rest.join(',')}}`;
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}
