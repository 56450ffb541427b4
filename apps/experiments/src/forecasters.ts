/**
 * The model as the experiments hand it to the harness and the grid search.
 *
 * Series on a coarser grid than one minute (NAB's 5-minute CloudWatch data) are passed with their
 * native step as the harness's "minute": resolution r then means r native steps, and horizons and
 * contexts are counted in native steps (as @tsfm/baselines' TSFM adapter does). The resolution
 * knob is restricted so that one coarse bucket never exceeds the horizon: on 5-minute data with
 * h = 12 steps, r ∈ {1, 5} (5 and 25 minutes); r = 15 (75 minutes) or 60 (5 hours) would forecast
 * one flat bucket longer than the hour being provisioned. Restricting `supportsConfig` (rather
 * than only the grid) also removes the harness's coarser stand-in defaults from its config space.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { otherModelVersions, RESOLUTIONS, type ResolutionMinutes } from '@tsfm/tsfm-client';

/** The earlier model versions kept loadable beside the default (packages/pretrain/models/). */
export const MODEL_VERSIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../packages/pretrain/models');

/**
 * The harness's extra models (its model dimension) for a run on `modelPath`: every model version
 * whose weights differ from it (tsfm-client's otherModelVersions), named by folder.
 */
export function extraModelsFor(modelPath: string): Promise<{ name: string; path: string }[]> {
  return otherModelVersions(modelPath, MODEL_VERSIONS_DIR);
}

/** Resolutions whose bucket fits inside the horizon (at least r = 1). */
export function resolutionsWithin(horizonSteps: number): ResolutionMinutes[] {
  const out = RESOLUTIONS.filter((r) => r <= horizonSteps);
  return out.length > 0 ? out : [1];
}
