/**
 * Small, generated fixtures for the experiment tests: a 12-tenant, 4-day fleet written with
 * @tsfm/workload-gen, a tiny model (the default architecture, shrunk, random weights: the writer
 * behind the CLI's --random-model), and a protocol scaled to them (origins over the last day, two
 * days of history first).
 */
import { fleetOptions, writeFleet } from '@tsfm/workload-gen';
import type { FleetExperimentOptions } from '../../src/fleet-experiment.js';
import type { BaselinePlan } from '../../src/m6.js';
import type { Protocol } from '../../src/protocol.js';
import { writeRandomModel } from '../../src/random-model.js';
import type { ModelProvenance, RunInfo } from '../../src/report.js';
import type { TenantSplit } from '../../src/split.js';
import { tempDir } from '../../../../test-fixtures/temp-dirs.js';

export async function tinyFleet(tenants = 12, days = 4, seed = 5): Promise<string> {
  const dir = tempDir('tsfm-exp-fleet-');
  await writeFleet(dir, fleetOptions({ seed, tenants, days }));
  return dir;
}

/** Context 64, horizon 64, a narrow trunk: a real ONNX model that runs in microseconds. */
export function tinyModel(): string {
  return writeRandomModel(
    { context: 64, horizon: 64, hidden: 32, blocks: 1, maskPool: 16 },
    7,
    tempDir('tsfm-experiments-model-'),
  );
}

export const TINY_PROTOCOL: Protocol = Object.freeze({
  horizon: 60,
  originsPerTenant: 3,
  tuningOrigins: 2,
  spanSteps: 1440,
  minHistory: 2 * 1440,
  stepsPerDay: 1440,
  seed: 3,
});

export const TEST_MODEL: ModelProvenance = {
  manifestPath: 'tiny',
  name: 'tiny',
  version: '0',
  sha256: '',
  untrained: true,
  corpus: 'none (random weights)',
};

export const TEST_RUN: Omit<RunInfo, 'wallSeconds'> = {
  command: 'vitest',
  startedAt: '1970-01-01T00:00:00.000Z',
  workers: 0,
  machine: 'test',
  loadAverage: [0, 0, 0],
};

/** What every experiment run of a test gets: the tiny fleet and model, the tiny protocol. */
export function tinyRun(fleetDir: string, modelPath: string, split: TenantSplit): FleetExperimentOptions {
  return { fleetDir, modelPath, model: TEST_MODEL, contextLength: 64, split, protocol: TINY_PROTOCOL, run: TEST_RUN };
}

/** M6 without baselines (the tests that add one say which). */
export const NO_BASELINES: BaselinePlan = {
  light: [],
  lightOrigins: 0,
  heavy: [],
  heavyOrigins: 0,
  heavyTenantShare: 0,
  lookbackDays: 2,
  aggregateSteps: 5,
  period: null,
};
