/**
 * Forecast samples for the fan charts, from wherever this workdir has them:
 *
 * 1. `runs/<best-id>/fan.json`, written by the evaluator: an array of
 *    `{ tenant, metric, history, quantiles: { "<level>": number[] }, actual?, alpha?, stepMinutes? }`,
 *    history oldest first and ending at the forecast origin, each quantile array one value per
 *    horizon step after it (FanSeriesSchema below is the contract).
 * 2. Otherwise, computed now from the fleet and the frozen forecaster the template evaluated with,
 *    found where the tiny template's evaluate.ts finds them: the fleet in `data/` (written by the
 *    prepare step), `loadFleet`, `forecastQuantile`, `HORIZON` and `TUNING_TENANTS` from
 *    `source/prepare.ts`, `METRICS`, `allConfigs` and `configKey` from `source/contract.ts` (or
 *    prepare.ts, in templates that keep them there), and the config each request used from
 *    `runs/<best-id>/metrics.json` (`requests[].winners`, one per metric).
 * 3. Otherwise, a note saying there are none. Never a made-up chart.
 *
 * Any failure on the way (a malformed file, a template without those exports) becomes the note's
 * text: the rest of the report is worth having without the fans.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { WORK_SPEC_ID_PATTERN } from '../../core/work-spec.js';
import { bestNode, isCandidate, rankByMetric } from '../ranking.js';
import { seedBaselines } from '../seed-roles.js';
import { lenientJson, readOptional, type ReportInputs, type TreeNode } from '../tree-input.js';

export const FAN_FILE = 'fan.json';
/** Levels the computed fans are drawn from: the median and the 50%, 80% and 98% central intervals. */
export const FAN_LEVELS = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] as const;
/** "A few tenants": enough to see the model on different shapes, few enough to read. */
export const FAN_LIMIT = 4;
/** History shown before the origin; longer files are cut to their tail (4 hours of 1-minute data). */
export const FAN_HISTORY_POINTS = 240;

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

export const FanSeriesSchema = z.object({
  tenant: z.string().min(1),
  metric: z.string().min(1),
  /** null marks a gap in the data (the line breaks there). */
  history: z.array(finite.nullable()),
  quantiles: z.record(z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a level in [0, 1]'), z.array(finite)),
  actual: z.array(finite.nullable()).optional(),
  /** The level the evaluator scored (the tenant's α), shown in the chart's subtitle. */
  alpha: z.number().optional(),
  /** Minutes per step, so the x axis can say minutes; without it, steps. */
  stepMinutes: z.number().positive().optional(),
});

export type FanSeries = z.infer<typeof FanSeriesSchema>;

export const FanFileSchema = z.array(FanSeriesSchema);

export type FanSource =
  | {
      readonly kind: 'file' | 'computed';
      readonly experimentId: string;
      /** Which experiment that is, in words: "the best experiment", or why another stands in. */
      readonly subject: string;
      readonly series: readonly FanSeries[];
      /** What the samples were read or computed from, in words (for logs and callers). */
      readonly from: string;
    }
  | { readonly kind: 'none'; readonly note: string };

/**
 * Whose forecasts the fans show: the best experiment; in a run that kept no candidate (its
 * verdict is "nothing beat the start"), the harness default every candidate was measured
 * against; failing that, the candidate with the lowest search metric.
 */
export function fanSubject(nodes: readonly TreeNode[]): { node: TreeNode; label: string } | undefined {
  const best = bestNode(nodes);
  if (best) return { node: best, label: 'the best experiment' };
  const harness = seedBaselines(nodes).find((baseline) => baseline.role === 'harness-default')?.node;
  if (harness) return { node: harness, label: 'the harness default (no candidate was kept, so there is no best)' };
  const lowest = rankByMetric(nodes).find(isCandidate);
  if (lowest) return { node: lowest, label: 'the experiment with the lowest search metric (no candidate was kept)' };
  return undefined;
}

export async function readFanSource(inputs: ReportInputs): Promise<FanSource> {
  const subject = fanSubject(inputs.nodes);
  if (!subject) return { kind: 'none', note: 'No forecast samples: no experiment has a metric yet.' };
  const { node: best, label } = subject;
  // The id becomes a path segment; one that could climb out of runs/ is not looked up.
  if (!WORK_SPEC_ID_PATTERN.test(best.id))
    return {
      kind: 'none',
      note: `No forecast samples: the best experiment's id ${JSON.stringify(best.id)} is not a run folder name.`,
    };
  const runDir = join(inputs.paths.root, 'runs', best.id);
  const relative = `runs/${best.id}/${FAN_FILE}`;

  const fileText = await readOptional(join(runDir, FAN_FILE));
  if (fileText !== undefined) {
    const parsed = FanFileSchema.safeParse(lenientJson(fileText));
    if (!parsed.success) {
      const problem = parsed.error.issues[0];
      return {
        kind: 'none',
        note: `${relative} is not valid (${problem ? `${problem.path.join('.') || 'root'}: ${problem.message}` : 'unreadable'}), so no fan charts are drawn.`,
      };
    }
    const series = parsed.data
      .filter((entry) => Object.keys(entry.quantiles).length > 0)
      .slice(0, FAN_LIMIT)
      .map(trimHistory);
    if (series.length === 0)
      return { kind: 'none', note: `${relative} holds no series with quantiles, so no fan charts are drawn.` };
    return { kind: 'file', experimentId: best.id, subject: label, series, from: relative };
  }
  return computeFromTemplate(inputs.paths.root, best.id, label, runDir);
}

function trimHistory(series: FanSeries): FanSeries {
  return series.history.length <= FAN_HISTORY_POINTS
    ? series
    : { ...series, history: series.history.slice(-FAN_HISTORY_POINTS) };
}

/** Where the tiny template's evaluator imports its constants, data and forecaster from; later names win. */
const FROZEN_MODULES = ['contract.ts', 'prepare.ts'] as const;

/** What the report needs from the template's frozen modules; the tiny template exports all of it. */
interface TemplateForecaster {
  readonly HORIZON: number;
  readonly METRICS: readonly string[];
  readonly TUNING_TENANTS: number;
  loadFleet(
    dataDir: string,
  ): Promise<ReadonlyArray<{ readonly id: string; readonly alpha: number; readonly series: readonly Float32Array[] }>>;
  forecastQuantile(
    values: Float32Array,
    end: number,
    config: unknown,
    horizon: number,
    alpha: number,
  ): ArrayLike<number>;
  allConfigs(): unknown[];
  configKey(config: unknown): string;
}

function asForecaster(module: Record<string, unknown>): TemplateForecaster | undefined {
  const functions = ['loadFleet', 'forecastQuantile', 'allConfigs', 'configKey'];
  if (functions.some((name) => typeof module[name] !== 'function')) return undefined;
  if (
    typeof module['HORIZON'] !== 'number' ||
    typeof module['TUNING_TENANTS'] !== 'number' ||
    !Array.isArray(module['METRICS'])
  )
    return undefined;
  return module as unknown as TemplateForecaster;
}

const RequestsSchema = z.looseObject({
  requests: z.array(z.looseObject({ tenantId: z.string(), winners: z.array(z.string()) })),
});

async function computeFromTemplate(root: string, bestId: string, subject: string, runDir: string): Promise<FanSource> {
  const none = (why: string): FanSource => ({
    kind: 'none',
    note: `No forecast samples in this workdir: runs/${bestId}/${FAN_FILE} was not written by the evaluator, and ${why}.`,
  });
  const dataDir = join(root, 'data');
  const sourceDir = join(root, 'source');
  const metricsText = await readOptional(join(runDir, 'metrics.json'));
  const haveData = (await readOptional(join(dataDir, 'fleet.json'))) !== undefined;
  const modules: string[] = [];
  for (const name of FROZEN_MODULES) if ((await readOptional(join(sourceDir, name))) !== undefined) modules.push(name);
  if (!haveData || !modules.includes('prepare.ts'))
    return none('there is no fleet (data/) and frozen forecaster (source/prepare.ts) to compute them from');
  const requests = RequestsSchema.safeParse(lenientJson(metricsText));
  if (!requests.success) return none(`runs/${bestId}/metrics.json does not say which config each request used`);

  const exports: Record<string, unknown> = {};
  try {
    // Frozen modules (their hashes are checked before every launch) that only define things;
    // prepare.ts acts only when run as a script. evaluate.ts, which runs on import, is never loaded.
    for (const name of modules)
      Object.assign(exports, (await import(pathToFileURL(join(sourceDir, name)).href)) as Record<string, unknown>);
  } catch (error) {
    return none(`source/${modules.join(', source/')} could not be loaded (${oneLine(error)})`);
  }
  const forecaster = asForecaster(exports);
  if (!forecaster)
    return none(
      `source/${modules.join(' and source/')} do not export loadFleet, forecastQuantile, allConfigs, configKey, HORIZON, METRICS and TUNING_TENANTS`,
    );

  try {
    const { HORIZON, METRICS } = forecaster;
    const fleet = await forecaster.loadFleet(dataDir);
    const winnersByTenant = new Map(requests.data.requests.map((request) => [request.tenantId, request.winners]));
    const configs = new Map(forecaster.allConfigs().map((config) => [forecaster.configKey(config), config]));
    const series: FanSeries[] = [];
    // Evaluation tenants in fleet order, one metric each, cycling so the charts cover every metric.
    for (const tenant of fleet.slice(forecaster.TUNING_TENANTS)) {
      if (series.length >= FAN_LIMIT) break;
      const m = series.length % METRICS.length;
      const config = configs.get(winnersByTenant.get(tenant.id)?.[m] ?? '');
      const values = tenant.series[m];
      if (config === undefined || values === undefined) continue;
      const origin = values.length - HORIZON;
      if (origin < 1) continue;
      const quantiles: Record<string, number[]> = {};
      for (const level of FAN_LEVELS)
        quantiles[String(level)] = rounded(forecaster.forecastQuantile(values, origin, config, HORIZON, level));
      series.push({
        tenant: tenant.id,
        metric: METRICS[m] ?? `metric ${m}`,
        history: observed(values.subarray(Math.max(0, origin - FAN_HISTORY_POINTS), origin)),
        quantiles,
        actual: observed(values.subarray(origin, origin + HORIZON)),
        alpha: tenant.alpha,
        stepMinutes: 1,
      });
    }
    if (series.length === 0)
      return none(`no evaluation tenant in runs/${bestId}/metrics.json has a config the forecaster knows`);
    return {
      kind: 'computed',
      experimentId: bestId,
      subject,
      series,
      from: `data/ and source/prepare.ts with the configs in runs/${bestId}/metrics.json`,
    };
  } catch (error) {
    return none(`computing them from data/ failed (${oneLine(error)})`);
  }
}

/** Six significant digits: far below what a chart shows, and it keeps report.html small. */
function rounded(values: ArrayLike<number>): number[] {
  return Array.from(values, (value) => Number(value.toPrecision(6)));
}

/** As `rounded`, with a gap in the fleet (NaN) kept as a gap rather than drawn as some value. */
function observed(values: ArrayLike<number>): Array<number | null> {
  return Array.from(values, (value) => (Number.isFinite(value) ? Number(value.toPrecision(6)) : null));
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 200);
}
