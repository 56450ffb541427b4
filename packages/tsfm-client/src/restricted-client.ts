/**
 * The client with its config space cut to some resolutions: `supportsConfig` refuses every other
 * resolution, so a search over the client's configs (the harness, a grid search) never tries
 * them, the coarser stand-in defaults included. Used where a resolution would mean something
 * wrong on the data's grid or overshoot the horizon (see @tsfm/baselines' meaningfulResolutions).
 */
import type { TsfmClient } from './client.js';

/** What a config search needs of a client; a TsfmClient is one. */
export type ConfigSearchForecaster = Pick<
  TsfmClient,
  'levels' | 'contract' | 'supportsConfig' | 'maxHorizonMinutes' | 'forecastBatch'
>;

export function restrictResolutions(client: TsfmClient, resolutions: readonly number[]): ConfigSearchForecaster {
  const allowed = new Set(resolutions);
  return {
    levels: client.levels,
    contract: client.contract,
    supportsConfig: (c) => allowed.has(c.resolutionMinutes) && client.supportsConfig(c),
    maxHorizonMinutes: (c) => client.maxHorizonMinutes(c),
    forecastBatch: (rows) => client.forecastBatch(rows),
  };
}
