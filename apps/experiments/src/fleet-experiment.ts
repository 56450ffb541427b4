/**
 * What the fleet experiments (M6–M9, harness selection) are given, and the evaluation subset M7–M9
 * draw from it: a seeded sample of evaluation tenants, a few evenly spread origins each, and a
 * history cap long enough for the harness's validation windows.
 */
import { runEvaluations, subsetOriginTasks, type TimedEvaluation } from './evaluation-run.js';
import { extraModelsFor } from './forecasters.js';
import { validationLookback, type HarnessSettings } from './harness-settings.js';
import { evenSubset } from './origins.js';
import { historyCap, type Protocol } from './protocol.js';
import type { ModelProvenance, RunInfo } from './report.js';
import type { MethodSpec } from './runtime.js';
import { assertSide, subsetOf, type TenantSplit } from './split.js';

/** The fleet, the model and the protocol every fleet experiment runs on. */
export interface FleetExperimentOptions {
  readonly fleetDir: string;
  readonly modelPath: string;
  readonly model: ModelProvenance;
  readonly contextLength: number;
  readonly split: TenantSplit;
  readonly protocol: Protocol;
  readonly run: Omit<RunInfo, 'wallSeconds'>;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The options of an experiment on a subset of evaluation tenants (M7–M9). */
export interface SubsetExperimentOptions extends FleetExperimentOptions {
  readonly tenants?: number;
  readonly originsPerTenant?: number;
  readonly harness?: HarnessSettings;
}

export interface EvaluationSubset {
  /** Evaluation tenants, in the seeded order of `subsetOf`. */
  readonly ids: readonly string[];
  readonly perTenant: number;
  /** History steps each request gets: the model's context plus the harness's validation lookback. */
  readonly cap: number;
}

/**
 * The evaluation tenants and history cap of experiment `label` (the label seeds the sample, so
 * each experiment keeps its own tenants); `defaults` apply where the options leave a size out.
 */
export function evaluationSubset(
  options: SubsetExperimentOptions,
  label: string,
  harness: HarnessSettings,
  defaults: { readonly tenants: number; readonly originsPerTenant: number },
): EvaluationSubset {
  const { protocol } = options;
  const ids = subsetOf(options.split, options.tenants ?? defaults.tenants, protocol.seed, label);
  assertSide(options.split, ids, 'evaluation');
  const perTenant = options.originsPerTenant ?? defaults.originsPerTenant;
  return { ids, perTenant, cap: harnessHistoryCap(options.contextLength, harness, protocol) };
}

/** History steps a request of `harness` gets: the model's context plus the harness's validation lookback. */
export function harnessHistoryCap(contextLength: number, harness: HarnessSettings, protocol: Protocol): number {
  return historyCap(
    contextLength,
    60,
    validationLookback(harness, protocol.horizon, protocol.stepsPerDay),
    protocol.stepsPerDay,
  );
}

/**
 * Every spec on `perTenant` evenly spread origins of each tenant of `ids`, with the model's extra
 * forecasters loaded beside it; progress counts tenants. `workers: 0` runs in-process.
 */
export async function runOnSubset(
  experiment: string,
  options: FleetExperimentOptions,
  subset: Pick<EvaluationSubset, 'ids' | 'perTenant'>,
  specs: readonly MethodSpec[],
  pool: { readonly workers: number; readonly microBatch: boolean },
): Promise<TimedEvaluation> {
  const { ids, perTenant } = subset;
  let done = 0;
  return runEvaluations(
    experiment,
    {
      modelPath: options.modelPath,
      extraModels: await extraModelsFor(options.modelPath),
      microBatch: pool.microBatch,
      resolutions: null,
      methods: specs,
    },
    subsetOriginTasks(
      options.fleetDir,
      new Set(ids),
      options.protocol,
      evenSubset(options.protocol.originsPerTenant, perTenant),
      specs.map((s) => s.name),
    ),
    { workers: pool.workers, onResult: () => options.onProgress?.(++done, ids.length) },
  );
}

/** What an in-process subset experiment's result (M7, M8) opens with: model, run, protocol, subset size. */
export interface SubsetResultHead {
  readonly model: ModelProvenance;
  readonly run: RunInfo;
  readonly protocol: Protocol;
  readonly tenants: number;
  readonly originsPerTenant: number;
}

/** The head of an in-process (`workers: 0`) run on `subset` that took `timing`. */
export function inProcessResultHead(
  options: FleetExperimentOptions,
  subset: Pick<EvaluationSubset, 'ids' | 'perTenant'>,
  timing: Pick<TimedEvaluation, 'wallSeconds' | 'cpuSeconds'>,
): SubsetResultHead {
  return {
    model: options.model,
    run: { ...options.run, workers: 0, wallSeconds: timing.wallSeconds, cpuSeconds: timing.cpuSeconds },
    protocol: options.protocol,
    tenants: subset.ids.length,
    originsPerTenant: subset.perTenant,
  };
}
