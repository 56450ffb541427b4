/**
 * THE EDITABLE FILE. The planner changes this file (by a patch) or its parameters (params.json);
 * nothing else. The frozen evaluator (evaluate.ts) builds one @tsfm/harness Harness over
 * `experiment.grid(params, all)` and sends every evaluation request with
 * `experiment.searchOptions(params)`; the harness then samples K configs (the fleet default
 * always among them), scores them on the tenant's own held-out tail and forecasts with the winner.
 *
 * `experiment` must satisfy the `Experiment` type in contract.ts — the runner type-checks this
 * file before every launch. Keep it pure: it may import contract.ts and nothing else.
 */
import {
  CONTEXT_LENGTHS,
  NORMALISATIONS,
  RESOLUTIONS,
  parseRacing,
  parseSubset,
  type Config,
  type Experiment,
  type Params,
  type SearchOptions,
} from './contract.js';

/** The configs the subset knobs allow. */
function grid(params: Params, all: readonly Config[]): Config[] {
  const contexts = parseSubset(params.contextLengths, CONTEXT_LENGTHS, 'contextLengths') as number[];
  const resolutions = parseSubset(params.resolutions, RESOLUTIONS, 'resolutions') as number[];
  const normalisations = parseSubset(params.normalisations, NORMALISATIONS, 'normalisations') as string[];
  return all.filter(
    (config) =>
      contexts.includes(config.contextLength) &&
      resolutions.includes(config.resolutionMinutes) &&
      normalisations.includes(config.normalisation) &&
      (params.flip || !config.flip),
  );
}

function searchOptions(params: Params): SearchOptions {
  return {
    k: params.k,
    validationWindows: params.validationWindows,
    validationPlacement: params.validationPlacement,
    racing: parseRacing(params.racing),
    selection: params.selectionRule,
    configsPerModelRow: 2,
    combine: { top: params.combineTop, method: 'median' },
  };
}

export const experiment: Experiment = { grid, searchOptions };
