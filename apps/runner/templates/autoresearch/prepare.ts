/**
 * FROZEN — the runner records this file's sha256 when it anchors the workdir and refuses to launch
 * an experiment whose copy differs. karpathy's prepare.py: which data, which tenants are
 * evaluated, the horizon, the latency budget, the seeds, the model and the metric live here,
 * where the experiment cannot move them. (The contract with experiment.ts is contract.ts.)
 *
 *   node --import tsx prepare.ts --out <dir>   writes the fleet once (fleet.bin + fleet.json)
 *
 * The model is the project's default forecaster, packages/pretrain/model/model.json (+ its ONNX
 * file), found through the @tsfm/pretrain package. TSFM_MODEL_MANIFEST points elsewhere — for a
 * person benchmarking a stand-in model; a planner cannot set it. Every result names the model's
 * sha256, so a number is never separated from the model that produced it.
 *
 * Written out in each template on purpose: a template is copied whole into a workdir and frozen
 * there, so what the two prepare.ts share (writing and reading the fleet files, the splits) is not
 * shared code.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { scaleFreePinball } from '@tsfm/losses';

// ---------------------------------------------------------------------------------------------
// Constants.

/**
 * Tenants × 8 days of 1-minute data: long enough for every context at every resolution but 60 min,
 * and for several forecast origins per tenant. The tenants are split three ways (SPLITS).
 */
export const FLEET = { seed: 7321, tenants: 160, days: 8, stepMinutes: 1, start: Date.UTC(2024, 2, 4) } as const;
/** Tenants [0, TUNING_TENANTS) tune the best fixed config and warm the model up; never scored. */
export const TUNING_TENANTS = 16;
/**
 * The evaluation tenants, split in two, disjoint:
 * - `search`: what every experiment is scored on — the planner, the keep rule and "best" see it;
 * - `confirmation`: scored only for the seeds and the run's best experiments after the search,
 *   never shown to a planner, a prompt or a keep decision. The run's verdict is this number.
 * Each tenant is forecast at `origins` origins, ORIGIN_STRIDE_MINUTES apart, ending at the last
 * horizon of the data. Sized so the search metric's bootstrap CI half-width (over tenants) is
 * small while one evaluation stays within seconds (apps/runner/README.md, "Sizing the search split").
 */
export const SPLITS = {
  search: { firstTenant: 16, tenants: 48, origins: 4 },
  confirmation: { firstTenant: 64, tenants: 96, origins: 4 },
} as const;
export type SplitName = keyof typeof SPLITS;
/** Six hours between origins: the origins of one tenant fall at different times of day. */
export const ORIGIN_STRIDE_MINUTES = 360;
export const METRICS = ['cpu', 'mem', 'net', 'disk'] as const;
/** Forecast horizon in minutes. */
export const HORIZON = 60;
/** Per request, validation forecasts and final forecast included (program.md). */
export const BUDGET_MS = 200;
/** Seasonal period of the MASE-style scale, in minutes. */
export const SEASON_MINUTES = 1440;
/** The request for tenant t at origin o is sent with seed EVALUATION_SEED · 1e6 + t · 100 + o. */
export const EVALUATION_SEED = 1;

/** The forecast origins (indices into a tenant's series) of a split, latest first. */
export function originsOf(length: number, split: SplitName): number[] {
  return Array.from({ length: SPLITS[split].origins }, (_, o) => length - HORIZON - o * ORIGIN_STRIDE_MINUTES);
}

/** The tenants of a split, in fleet order. */
export function splitTenants<T>(fleet: readonly T[], split: SplitName): T[] {
  const { firstTenant, tenants } = SPLITS[split];
  return fleet.slice(firstTenant, firstTenant + tenants);
}

export const DATA_BIN = 'fleet.bin';
export const DATA_MANIFEST = 'fleet.json';

// ---------------------------------------------------------------------------------------------
// The model.

export function modelManifestPath(): string {
  const override = process.env['TSFM_MODEL_MANIFEST'];
  if (override) return override;
  const pretrainEntry = fileURLToPath(import.meta.resolve('@tsfm/pretrain'));
  return join(dirname(pretrainEntry), '..', 'model', 'model.json');
}

/** Throws with what to do when the default model has not been built yet. */
export function assertModelExists(): string {
  const path = modelManifestPath();
  if (!existsSync(path)) {
    throw new Error(
      `the default model ${path} does not exist yet. Build it (npm run pretrain -w @tsfm/pretrain), ` +
        `point TSFM_MODEL_MANIFEST at another model.json, or anchor the workdir on the tiny template ({"template": "tiny"} in workflow.json).`,
    );
  }
  return path;
}

// ---------------------------------------------------------------------------------------------
// The data: a fleet from @tsfm/workload-gen, generated once per workdir by `prepare.ts --out`.

export interface TenantData {
  readonly id: string;
  readonly index: number;
  readonly tier: 'premium' | 'standard' | 'basic';
  readonly alpha: number;
  /** One series per METRICS entry, 1-minute steps. */
  readonly series: Readonly<Record<(typeof METRICS)[number], Float32Array>>;
}

interface DataManifest {
  readonly version: 1;
  readonly fleet: typeof FLEET;
  readonly metrics: readonly string[];
  readonly length: number;
  readonly sha256: string;
  readonly tenants: readonly { id: string; tier: TenantData['tier']; alpha: number; archetype: string }[];
}

export async function loadFleet(dataDir: string): Promise<TenantData[]> {
  const manifest = JSON.parse(await readFile(join(dataDir, DATA_MANIFEST), 'utf8')) as DataManifest;
  if (JSON.stringify(manifest.fleet) !== JSON.stringify(FLEET) || manifest.metrics.join() !== METRICS.join()) {
    throw new Error(`${dataDir}: the data was prepared for another fleet; run prepare.ts --out again`);
  }
  const bytes = await readFile(join(dataDir, DATA_BIN));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== manifest.sha256) throw new Error(`${dataDir}/${DATA_BIN}: sha256 ${sha} does not match the manifest`);
  // Copied into a fresh buffer: a Float32Array view needs 4-byte alignment the read may not have.
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const n = manifest.length;
  const slice = (tenant: number, metric: number) =>
    all.subarray((tenant * METRICS.length + metric) * n, (tenant * METRICS.length + metric + 1) * n);
  return manifest.tenants.map((tenant, index) => ({
    id: tenant.id,
    index,
    tier: tenant.tier,
    alpha: tenant.alpha,
    series: { cpu: slice(index, 0), mem: slice(index, 1), net: slice(index, 2), disk: slice(index, 3) },
  }));
}

async function prepareData(outDir: string): Promise<void> {
  assertModelExists();
  // Imported here, not at the top: the evaluator imports this file and should not pay for it.
  const { fleetOptions, generateFleet } = await import('@tsfm/workload-gen');
  const options = fleetOptions({
    seed: FLEET.seed,
    tenants: FLEET.tenants,
    days: FLEET.days,
    start: FLEET.start,
    stepMinutes: FLEET.stepMinutes,
  });
  const chunks: Float32Array[] = [];
  const tenants: DataManifest['tenants'][number][] = [];
  for (const tenant of generateFleet(options)) {
    tenants.push({
      id: tenant.id,
      tier: tenant.params.tier,
      alpha: tenant.params.alpha,
      archetype: tenant.params.archetype,
    });
    for (const metric of METRICS) chunks.push(tenant.metrics[metric]);
  }
  const bytes = Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  const manifest: DataManifest = {
    version: 1,
    fleet: FLEET,
    metrics: METRICS,
    length: options.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    tenants,
  };
  await mkdir(outDir, { recursive: true });
  // Bin first, manifest last (each renamed into place): a manifest on disk means its data is whole.
  await writeFile(join(outDir, `.${DATA_BIN}.tmp`), bytes);
  await rename(join(outDir, `.${DATA_BIN}.tmp`), join(outDir, DATA_BIN));
  await writeFile(join(outDir, `.${DATA_MANIFEST}.tmp`), JSON.stringify(manifest, null, 2) + '\n');
  await rename(join(outDir, `.${DATA_MANIFEST}.tmp`), join(outDir, DATA_MANIFEST));
  console.log(
    `prepared ${tenants.length} tenants × ${METRICS.length} metrics × ${options.length} minutes in ${outDir}`,
  );
}

// ---------------------------------------------------------------------------------------------
// The metric: scale-free α-pinball (@tsfm/losses), the in-sample seasonal-naive MAE as the scale.

/** Loss of a forecast made at `origin` against values[origin, origin + forecast.length). */
export function alphaLoss(values: Float32Array, origin: number, forecast: ArrayLike<number>, alpha: number): number {
  const actual = values.subarray(origin, origin + forecast.length);
  return scaleFreePinball(values.subarray(0, origin), actual, forecast, alpha, SEASON_MINUTES);
}

const invokedAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedAsScript) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('usage: prepare.ts --out <data dir>');
  await prepareData(values.out);
}
