/**
 * FROZEN — the runner records this file's sha256 when it anchors the workdir and refuses to launch
 * an experiment whose copy differs. karpathy's prepare.py: constants, data, the model and the
 * metric live here, where the experiment cannot move them.
 *
 * The contract with experiment.ts (config space, params, the Experiment interface) is in
 * contract.ts, also frozen.
 *
 * The tiny template is a miniature of the real one (templates/autoresearch): the same question
 * (does per-request selection of a forecaster config beat one fixed config?) on a 16-tenant,
 * 3-day synthetic fleet, with a parametric forecaster standing in for the ONNX model so that one
 * evaluation takes well under a second. It exists so the workflow can be built and tested fast.
 *
 *   node --import tsx prepare.ts --out <dir>   writes the fleet once (fleet.bin + fleet.json)
 *
 * Written out in each template on purpose: a template is copied whole into a workdir and frozen
 * there, so what the two prepare.ts share (writing and reading the fleet files, the splits) is not
 * shared code.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { scaleFreePinball } from '@tsfm/losses';
import { METRICS, type ForecastConfig, type Normalisation } from './contract.js';

// ---------------------------------------------------------------------------------------------
// Constants: which data, which tenants are evaluated, the horizon, the seeds, the season.

export const FLEET = { seed: 4242, tenants: 24, days: 3, stepMinutes: 1, start: Date.UTC(2024, 0, 1) } as const;
/** Tenants [0, TUNING_TENANTS) tune the fixed baseline; never scored. */
export const TUNING_TENANTS = 8;
/**
 * The evaluation tenants, split in two, disjoint (as in templates/autoresearch): `search` scores
 * every experiment; `confirmation` is scored only after the search, for the seeds and the best.
 */
export const SPLITS = {
  search: { firstTenant: 8, tenants: 8 },
  confirmation: { firstTenant: 16, tenants: 8 },
} as const;
export type SplitName = keyof typeof SPLITS;

/** The tenants of a split, in fleet order. */
export function splitTenants<T>(fleet: readonly T[], split: SplitName): T[] {
  const { firstTenant, tenants } = SPLITS[split];
  return fleet.slice(firstTenant, firstTenant + tenants);
}
/** Forecast horizon in minutes. */
export const HORIZON = 60;
/** Daily seasonality of the scale (MASE-style) and of the seasonal-naive part of the model. */
export const SEASON_MINUTES = 1440;
/** Seeds the per-request sampling; request i draws from hash(EVALUATION_SEED, i). */
export const EVALUATION_SEED = 1;

export const DATA_BIN = 'fleet.bin';
export const DATA_MANIFEST = 'fleet.json';

// ---------------------------------------------------------------------------------------------
// Per-request seeds.

export function requestSeed(index: number): number {
  let h = (EVALUATION_SEED * 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (index + 0x85ebca6b), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// The data: a fleet from @tsfm/workload-gen, generated once per workdir by `prepare.ts --out`.

export interface TenantData {
  readonly id: string;
  readonly index: number;
  readonly alpha: number;
  readonly tier: string;
  /** One series per METRICS entry, 1-minute steps. */
  readonly series: readonly Float32Array[];
}

interface DataManifest {
  readonly version: 1;
  readonly fleet: typeof FLEET;
  readonly metrics: readonly string[];
  readonly length: number;
  readonly sha256: string;
  readonly tenants: readonly { id: string; tier: string; alpha: number; archetype: string }[];
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
  return manifest.tenants.map((tenant, index) => ({
    id: tenant.id,
    index,
    alpha: tenant.alpha,
    tier: tenant.tier,
    series: METRICS.map((_, m) => all.subarray((index * METRICS.length + m) * n, (index * METRICS.length + m + 1) * n)),
  }));
}

async function prepareData(outDir: string): Promise<void> {
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
// The frozen forecaster: a parametric stand-in for the ONNX model, cheap enough to run thousands
// of times per evaluation. Seasonal naive (when the context holds a full day) blended with a
// level, in the normalised space, with a Gaussian spread from the one-step differences.

/** The α-quantile forecast of `values[0, end)` for the next `horizon` minutes. */
export function forecastQuantile(
  values: Float32Array,
  end: number,
  config: ForecastConfig,
  horizon: number,
  alpha: number,
): Float64Array {
  const r = config.resolutionMinutes;
  const context = aggregateTrailing(values, end, r, config.contextLength);
  const steps = Math.ceil(horizon / r);
  let coarse = forecastCoarse(context, config.normalisation, steps, r, alpha);
  if (config.flip) {
    // −f(−x) at level α is f(−x) at level 1 − α, negated.
    const mirrored = forecastCoarse(
      context.map((v) => -v),
      config.normalisation,
      steps,
      r,
      1 - alpha,
    );
    coarse = coarse.map((v, i) => (v - mirrored[i]) / 2);
  }
  const out = new Float64Array(horizon);
  for (let t = 0; t < horizon; t++) out[t] = Math.max(0, coarse[Math.floor(t / r)]);
  return out;
}

/** Means of the last `count` whole r-minute buckets before `end`, oldest first; NaN carried forward. */
function aggregateTrailing(values: Float32Array, end: number, r: number, count: number): Float64Array {
  const buckets = Math.min(count, Math.floor(end / r));
  const out = new Float64Array(buckets);
  let carry = NaN;
  for (let b = 0; b < buckets; b++) {
    const from = end - (buckets - b) * r;
    let sum = 0;
    let seen = 0;
    for (let t = from; t < from + r; t++) {
      const v = values[t];
      if (!Number.isNaN(v)) {
        sum += v;
        seen++;
      }
    }
    carry = seen > 0 ? sum / seen : carry;
    out[b] = carry;
  }
  // A leading gap has nothing to carry: fill it with the first observed bucket.
  const first = out.find((v) => !Number.isNaN(v)) ?? 0;
  for (let b = 0; b < buckets && Number.isNaN(out[b]); b++) out[b] = first;
  return out;
}

function forecastCoarse(
  context: Float64Array,
  normalisation: Normalisation,
  steps: number,
  r: number,
  alpha: number,
): Float64Array {
  const { z, inverse } = normalise(context, normalisation);
  const n = z.length;
  const last = z[n - 1];
  const mean = z.reduce((a, b) => a + b, 0) / n;
  const recent = z.slice(Math.max(0, n - 6)).reduce((a, b) => a + b, 0) / Math.min(n, 6);
  const level = normalisation === 'mean-std' ? mean : normalisation === 'log1p' ? recent : last;
  const season = Math.round(SEASON_MINUTES / r);
  let diffs = 0;
  for (let i = 1; i < n; i++) diffs += (z[i] - z[i - 1]) ** 2;
  const sd = n > 1 ? Math.sqrt(diffs / (n - 1)) : 0;
  const zAlpha = inverseNormal(alpha);
  const out = new Float64Array(steps);
  for (let j = 0; j < steps; j++) {
    const seasonal = n > season ? z[n - season + (j % season)] : level;
    const point = 0.5 * seasonal + 0.5 * level;
    out[j] = inverse(point + zAlpha * sd * Math.sqrt(Math.min(j + 1, 16)));
  }
  return out;
}

function normalise(x: Float64Array, normalisation: Normalisation): { z: Float64Array; inverse: (v: number) => number } {
  switch (normalisation) {
    case 'none':
      return { z: x, inverse: (v) => v };
    case 'mean-std': {
      const mean = x.reduce((a, b) => a + b, 0) / x.length;
      const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length) || 1;
      return { z: x.map((v) => (v - mean) / sd), inverse: (v) => v * sd + mean };
    }
    case 'last-value': {
      const scale = Math.abs(x[x.length - 1]) || 1;
      return { z: x.map((v) => v / scale), inverse: (v) => v * scale };
    }
    case 'log1p':
      return { z: x.map((v) => Math.log1p(Math.max(0, v))), inverse: (v) => Math.expm1(v) };
  }
}

/**
 * Φ⁻¹(p), Acklam's rational approximation (relative error < 1.2e-9). A deliberate self-contained
 * copy of @tsfm/numerics' normalQuantile (issue 14 §3): prepare.ts is the frozen evaluator of every
 * experiment anchored from this template, so its metric must not move when shared code changes
 * (test/template-copies.test.ts).
 */
export function inverseNormal(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (coef: number[], x: number) => coef.reduce((acc, k) => acc * x + k, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
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
