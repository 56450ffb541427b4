/**
 * The cold-start path: what the harness does when it cannot validate, and exactly when that is.
 *
 * Search needs, for history length n (minutes) and horizon h, room for one validation window:
 *
 *     n ≥ h + minContextPoints        (default minContextPoints = 60 → n ≥ h + 60)
 *
 * i.e. the validation origin has at least `minContextPoints` minutes of history behind it (a
 * longer history gets more windows, up to `validationWindows`: validate-input.ts).
 * Otherwise — or when every validation window of every metric is entirely NaN, or when the
 * default config itself cannot be validated on this history — no config can be scored, and:
 *
 *  1. `cold-start-prior`: the archetype prior's highest-weight config that can serve the final
 *     forecast for every metric (ties: the lower configKey), when a prior source is configured
 *     and returns a prior with such a config;
 *  2. `cold-start-default`: else the fleet default (at the finest resolution that reaches the
 *     horizon and the data; see effectiveDefault);
 *  3. `cold-start-flat`: a history of exactly ONE point carries no information about dynamics
 *     or spread; the forecast is that point, flat, at every quantile (no model call).
 *
 * A metric with no observed value at all is not a cold start but an error (insufficient-data):
 * there is nothing to forecast from, and inventing a level would be a silent failure.
 */
import type { ForecastRow, QuantileForecast } from '@tsfm/tsfm-client';
import type { BudgetMode } from './budget.js';
import { emptyCalibration, peakOf } from './calibration.js';
import { type ConfigSpace, type RequestReach, searchable, servesFinal } from './config-space.js';
import type { CostModel } from './cost-model.js';
import { HarnessError } from './errors.js';
import { checkFinal, chooseFinal, fallbackNote, type FinalCandidate } from './final-guard.js';
import { ForecastQuantiles } from './forecast-quantiles.js';
import { modelRowsFor, type HarnessForecaster } from './forecaster.js';
import type { MetricProfile } from './history-profile.js';
import { callModel } from './model-call.js';
import type { PriorLookup } from './prior-lookup.js';
import type { ParsedRequest } from './request.js';
import { assembleResult } from './result-assembly.js';
import type {
  CalibrationReport,
  FinalFallback,
  HarnessResult,
  MetricWinner,
  PeakForecast,
  PlausibleRange,
  SkipNote,
} from './result.js';
import { rolloutRounds } from './rollout.js';
import type { StageClock } from './stage-clock.js';

export type HarnessPath = 'search' | 'cold-start-prior' | 'cold-start-default' | 'cold-start-flat';

/** Why a request did not take the search path. */
export type ColdStartReason =
  | 'single-point-history'
  | 'history-shorter-than-search-minimum'
  | 'no-observed-value-in-any-validation-window'
  | 'default-config-cannot-be-validated';

/** Minimum history length (minutes) for the search path: one validation window and its context. */
export function searchMinimumHistory(horizon: number, minContextPoints: number): number {
  return horizon + minContextPoints;
}

/**
 * Validation windows a history of n minutes holds: up to `wanted`, each with minContextPoints
 * before it (≥ 1 when searchable).
 */
export function windowsFor(n: number, horizon: number, minContextPoints: number, wanted: number): number {
  return Math.max(1, Math.min(wanted, Math.floor((n - minContextPoints) / horizon)));
}

/**
 * The fleet default for this request: the default config at the finest resolution (from the
 * default's own upward) whose family can serve it — reaching the horizon (the model forecasts a
 * fixed number of steps, so long horizons need coarser steps) and an observation inside its
 * context window. With `forSearch`, it must also be validatable. −1 when none can.
 */
export function effectiveDefault(space: ConfigSpace, reach: RequestReach, forSearch: boolean): number {
  for (const i of space.defaultByResolution) {
    const f = space.families[space.familyOf[i]];
    if (forSearch ? searchable(f, reach) : servesFinal(f, reach)) return i;
  }
  return -1;
}

export interface PriorPick {
  /** Config index, or −1 when no prior key is servable. */
  readonly index: number;
  /** Prior keys that are not configs of this space (unknown, or unsupported by the model). */
  readonly unknownKeys: number;
}

/** The highest-weight prior config that can serve the final forecast. */
export function topPriorConfig(space: ConfigSpace, prior: ReadonlyMap<string, number>, reach: RequestReach): PriorPick {
  let best = -1;
  let bestWeight = 0;
  let bestKey = '';
  let unknownKeys = 0;
  for (const [key, weight] of prior) {
    const i = space.indexOf(key);
    if (i === undefined) {
      unknownKeys++;
      continue;
    }
    if (!(weight > 0) || !servesFinal(space.families[space.familyOf[i]], reach)) continue;
    if (weight > bestWeight || (weight === bestWeight && key < bestKey)) {
      best = i;
      bestWeight = weight;
      bestKey = key;
    }
  }
  return { index: best, unknownKeys };
}

/** [h × nLevels] matrix with every entry = value: the single-point forecast. */
export function flatQuantiles(value: number, horizon: number, nLevels: number): Float32Array {
  return new Float32Array(horizon * nLevels).fill(value);
}

/** Note for a request whose default had to move to a coarser resolution. */
export function defaultAdjustedNote(space: ConfigSpace, index: number, h: number): string {
  return `the default config at its own resolution cannot serve this request (horizon ${h} steps beyond its reach, or no observation inside its context window); using ${space.keys[index]}`;
}

/** The fleet default for the report: the effective one, else the default proper. */
export function reportedDefault(space: ConfigSpace, reach: RequestReach): number {
  const i = effectiveDefault(space, reach, false);
  return i >= 0 ? i : space.defaultByResolution[0];
}

export interface ColdStartInput {
  readonly space: ConfigSpace;
  readonly forecaster: HarnessForecaster;
  readonly costModel: CostModel;
  readonly budgetMode: BudgetMode;
  readonly req: ParsedRequest;
  readonly reach: RequestReach;
  readonly profiles: readonly MetricProfile[];
  readonly ranges: readonly PlausibleRange[];
  readonly reason: ColdStartReason;
  readonly prior: PriorLookup;
  readonly clock: StageClock;
  /** validate-input's time (ms), already lapped. */
  readonly validateInputMs: number;
  readonly skipped: readonly SkipNote[];
}

/** Which config a cold start forecasts with, and on which path. */
function coldStartConfig(input: ColdStartInput, notes: string[]): { path: HarnessPath; index: number } {
  const { space, req, reach, profiles, reason, prior } = input;
  if (reason === 'single-point-history') {
    notes.push(
      'a single observation: the forecast is that value, flat, at every quantile (zero-width intervals; no model call)',
    );
    return { path: 'cold-start-flat', index: space.defaultByResolution[0] };
  }
  const pick = prior.map === null ? null : topPriorConfig(space, prior.map, reach);
  if (pick !== null && pick.index >= 0) return { path: 'cold-start-prior', index: pick.index };
  const index = effectiveDefault(space, reach, false);
  if (pick !== null)
    notes.push('the archetype prior has no config that can serve this request; the default config is used');
  if (index < 0) {
    const stale = req.metricNames.filter((_, m) => profiles[m].lastObserved < reach.n - 1);
    throw new HarnessError(
      'insufficient-data',
      `no config's context window reaches an observation (last observations: ${req.metricNames.map((name, m) => `${name} @ ${profiles[m].lastObserved}`).join(', ')} of ${reach.n})`,
      { metrics: stale },
    );
  }
  if (index !== space.defaultByResolution[0]) notes.push(defaultAdjustedNote(space, index, req.horizon));
  return { path: 'cold-start-default', index };
}

/** The cold-start path: one config for all metrics, no validation (see the module comment). */
export async function coldStartForecast(input: ColdStartInput): Promise<HarnessResult> {
  const { space, forecaster, costModel, req, reach, ranges, reason, prior, clock } = input;
  const h = req.horizon;
  const levels = forecaster.levels;
  const notes: string[] = [];
  const { path, index } = coldStartConfig(input, notes);
  const config = space.configs[index];
  const sampleMs = clock.lap();

  const rows: ForecastRow[] =
    path === 'cold-start-flat' ? [] : req.series.map((values) => ({ values, horizon: h, config }));
  const rowsFor = (n: number, c: typeof config): number =>
    n * modelRowsFor(c) * rolloutRounds(h, space.modelOfConfig(index).forecaster.maxHorizonMinutes(c));
  const modelRows = rowsFor(rows.length, config);
  const spentBeforeCall = clock.elapsed();
  const availableModelMs = req.budgetMs - spentBeforeCall - costModel.coefficients.overheadMs;
  const predictedModelMs = rows.length === 0 ? 0 : costModel.predictModelMs(modelRows);
  const buildRowsMs = clock.lap();

  let forecasts: QuantileForecast[] = [];
  let calls = 0;
  let callStart = performance.now();
  if (rows.length > 0) {
    ({ forecasts, calls } = await callModel(space.modelOfConfig(index).forecaster, rows));
    costModel.observeModel(modelRows, performance.now() - callStart);
  }
  // The final-forecast guard's one extra model call (rare): a cold-start-prior config whose
  // forecast fails the guard on some metric falls back to the default, forecast on demand for
  // those metrics only. cold-start-default has nothing to fall back to (the default is the last
  // resort); cold-start-flat repeats the single observation, which lies inside any range built
  // from it, so it is not checked.
  const defaultIndex = path === 'cold-start-prior' ? effectiveDefault(space, reach, false) : -1;
  const onDemand = new Map<number, Float32Array>();
  let extraRows = 0;
  if (defaultIndex >= 0 && defaultIndex !== index) {
    const failing = req.metricNames.flatMap((_, m) => (checkFinal(forecasts[m].quantiles, ranges[m]).ok ? [] : [m]));
    if (failing.length > 0) {
      const defaultConfig = space.configs[defaultIndex];
      const extra = failing.map((m) => ({ values: req.series[m], horizon: h, config: defaultConfig }));
      callStart = performance.now();
      const out = await callModel(space.modelOfConfig(defaultIndex).forecaster, extra);
      calls += out.calls;
      extraRows = rowsFor(extra.length, defaultConfig);
      costModel.observeModel(extraRows, performance.now() - callStart);
      failing.forEach((m, i) => onDemand.set(m, out.forecasts[i].quantiles));
    }
  }
  const modelMs = clock.lap();
  const scoreMs = clock.lap();

  const { forecast, quantiles, winner, fallbacks, peak } = coldStartFinals({
    input,
    path,
    index,
    defaultIndex,
    forecasts,
    onDemand,
    notes,
  });
  // Cold start forecasts no validation window: there is nothing to calibrate from, and the
  // result says so per metric rather than silently ignoring the option.
  const calibration: CalibrationReport =
    req.options.calibration === 'none'
      ? emptyCalibration('none')
      : {
          ...emptyCalibration(req.options.calibration),
          unshifted: req.metricNames.map((metric) => ({
            metric,
            reason: `${path}: no validation window was forecast`,
          })),
        };
  const selectMs = clock.lap();
  const total = clock.elapsed();
  return assembleResult(
    req,
    levels,
    ranges,
    {
      mode: input.budgetMode,
      figures: {
        budgetMs: req.budgetMs,
        availableModelMs,
        predictedModelMs,
        actualModelMs: modelMs,
        predictedTotalMs: spentBeforeCall + predictedModelMs + costModel.coefficients.overheadMs,
        actualTotalMs: total,
      },
    },
    {
      path,
      coldStartReason: reason,
      forecast,
      quantiles,
      peak,
      calibration,
      winner,
      fallbacks,
      tenantWinner: null,
      defaultKey: space.keys[reportedDefault(space, reach)],
      tried: [],
      budgetCut: [],
      skipped: [...input.skipped],
      membersSkipped: [],
      validationWindows: 0,
      validationPlacement: null,
      scales: {},
      kUsed: 1,
      kLowered: false,
      modelRows: modelRows + extraRows,
      requestRows: rows.length + onDemand.size,
      naiveRequestRows: rows.length + onDemand.size,
      racing: null,
      forecasterCalls: calls,
      // The result's timings, written out on each path (search.ts too): each times its own stages.
      timings: {
        validateInput: input.validateInputMs,
        sample: sampleMs,
        buildRows: buildRowsMs,
        model: modelMs,
        score: scoreMs,
        members: 0,
        select: selectMs,
        total,
      },
      prior: prior.report,
      notes,
    },
  );
}

interface ColdStartFinalInput {
  readonly input: ColdStartInput;
  readonly path: HarnessPath;
  /** The cold-start config, and the default it may fall back to (−1: none). */
  readonly index: number;
  readonly defaultIndex: number;
  /** The cold-start config's forecast per metric (empty on the flat path). */
  readonly forecasts: readonly QuantileForecast[];
  /** The default's forecasts, for the metrics whose first forecast failed the guard. */
  readonly onDemand: ReadonlyMap<number, Float32Array>;
  readonly notes: string[];
}

/** Per metric: the cold-start forecast, or the default's when the guard refused it. */
function coldStartFinals(ctx: ColdStartFinalInput): {
  forecast: Record<string, Float32Array>;
  quantiles: Record<string, ForecastQuantiles>;
  peak: Record<string, PeakForecast>;
  winner: Record<string, MetricWinner>;
  fallbacks: FinalFallback[];
} {
  const { space, forecaster, req, ranges } = ctx.input;
  const { path, index, defaultIndex, forecasts, onDemand, notes } = ctx;
  const h = req.horizon;
  const levels = forecaster.levels;
  const config = space.configs[index];
  const key = space.keys[index];
  const forecast: Record<string, Float32Array> = {};
  const quantiles: Record<string, ForecastQuantiles> = {};
  const peak: Record<string, PeakForecast> = {};
  const model = (i: number): string => space.modelOfConfig(i).name;
  const winner: Record<string, MetricWinner> = {};
  const fallbacks: FinalFallback[] = [];
  for (let m = 0; m < req.metricNames.length; m++) {
    const metric = req.metricNames[m];
    let q: ForecastQuantiles;
    winner[metric] = {
      key,
      config,
      model: model(index),
      score: null,
      tieToDefault: false,
      chosenBy: path,
      combined: null,
    };
    if (path === 'cold-start-flat') {
      q = new ForecastQuantiles(flatQuantiles(req.series[m][0], h, levels.length), h, levels);
    } else {
      // The client already applied each config's post-processing (rows carry the config itself).
      const candidates: FinalCandidate[] = [{ key, matrix: () => forecasts[m].quantiles }];
      if (defaultIndex >= 0 && defaultIndex !== index) {
        candidates.push({ key: space.keys[defaultIndex], matrix: () => onDemand.get(m) ?? null });
      }
      // The last candidate is the default — or the cold-start config itself when no default can serve.
      const choice = chooseFinal(metric, candidates, candidates.length - 1, ranges[m]);
      const used = choice.index === 0 ? config : space.configs[defaultIndex];
      if (choice.fallback !== null) {
        fallbacks.push(choice.fallback);
        notes.push(fallbackNote(choice.fallback));
        if (choice.index !== 0)
          winner[metric] = {
            key: space.keys[defaultIndex],
            config: used,
            score: null,
            tieToDefault: false,
            model: model(defaultIndex),
            chosenBy: 'final-guard-fallback',
            combined: null,
          };
      }
      q = new ForecastQuantiles(choice.matrix, h, levels);
    }
    quantiles[metric] = q;
    forecast[metric] = q.quantileAt(req.alpha);
    // No validation window, so nothing to calibrate the peak with (the report says so).
    const raw = peakOf(forecast[metric], req.options.peakHorizon ?? h);
    peak[metric] = { horizon: req.options.peakHorizon ?? h, value: raw, raw, shift: 0, online: 0 };
  }
  return { forecast, quantiles, peak, winner, fallbacks };
}
