/** Small planning contexts shared by the planner tests, built in code. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentRecord, PlanningContext } from '../../src/planners/planner.js';
import type { ParamSpace, ParamValue } from '../../src/planners/param-space.js';
import { tempDir as sharedTempDir } from '../../../../test-fixtures/temp-dirs.js';

/** The config-space knobs of the harness (design §4), with a default away from the best region. */
export const SPACE: ParamSpace = {
  contextLength: {
    kind: 'range',
    min: 64,
    max: 512,
    step: 64,
    default: 128,
    description: 'History points fed to the model.',
  },
  resolutionMinutes: {
    kind: 'choice',
    values: [1, 5, 15, 60],
    default: 1,
    description: 'Aggregation before forecasting.',
  },
  normalisation: { kind: 'choice', values: ['none', 'mean-std', 'last-value', 'log1p'], default: 'none' },
  flip: { kind: 'choice', values: [false, true], default: false },
};

export const PROGRAM = '# Program\nMinimise the mean scale-free alpha-pinball loss. PROGRAM-MARKER-7f3a';
export const KNOWLEDGE = 'Coarser resolution helped on spiky tenants. KNOWLEDGE-MARKER-91c2';
export const SOURCE = 'export const experiment = { k: 8 }; // SOURCE-MARKER-5d0e\n';

export function context(overrides: Partial<PlanningContext> = {}): PlanningContext {
  return {
    program: PROGRAM,
    knowledge: KNOWLEDGE,
    history: [],
    sourceOfEditable: SOURCE,
    paramSpace: SPACE,
    budget: { experimentsLeft: 10, dollarsLeft: 5 },
    ...overrides,
  };
}

export function record(
  id: string,
  name: string,
  params: Record<string, ParamValue>,
  metric: number | null,
  parent?: string,
): ExperimentRecord {
  return {
    id,
    name,
    params,
    metric,
    status: metric === null ? 'crash' : 'keep',
    ...(parent === undefined ? {} : { parent }),
  };
}

/**
 * A separable objective over SPACE whose minimum (1.0) sits at contextLength 384, 15-minute
 * resolution, mean-std normalisation, flip on; the defaults score 2.85.
 */
export function syntheticObjective(params: Record<string, ParamValue>): number {
  const ctx = params['contextLength'] as number;
  const resolution =
    ({ 1: 0.3, 5: 0.1, 15: 0, 60: 0.4 } as Record<number, number>)[params['resolutionMinutes'] as number] ?? 1;
  const norm =
    ({ none: 0.5, 'mean-std': 0, 'last-value': 0.2, log1p: 0.1 } as Record<string, number>)[
      params['normalisation'] as string
    ] ?? 1;
  return 1 + ((ctx - 384) / 256) ** 2 + resolution + norm + (params['flip'] === true ? 0 : 0.05);
}

/** A temp dir removed after the test file (test-fixtures/temp-dirs.ts). */
export function tempDir(prefix: string): Promise<string> {
  return Promise.resolve(sharedTempDir(`${prefix}-`));
}

/** Every file under `dir`, recursively, with its contents. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(path, await readFile(path, 'utf8'));
  }
  return out;
}
