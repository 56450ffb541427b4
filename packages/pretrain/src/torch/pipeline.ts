/**
 * `npm run pretrain` for the v2 default model, end to end and resumable:
 *
 *  1. pool     the training pool and the held-out pool (src/data/pool.ts), written by one child
 *              process per core; chunks that exist are kept, so a rerun skips finished work;
 *  2. train    the PyTorch trainer (python/tsfm_v2) in `<work>/train`, which checkpoints every
 *              few hundred steps and resumes from its checkpoint;
 *  3. export   torch.onnx.export (opset 17), then the graph passes (python/tsfm_v2/graph_passes.py:
 *              Softplus decomposed) → `<out>/default.onnx`, checked against the torch outputs it
 *              recorded (ONNX Runtime, max |Δ| relative to the series scale);
 *  4. manifest `<out>/model.json` (the tsfm-client contract), the curve JSON and PNG.
 *
 * Every step is keyed by the seed, so the same command gives the same pool, the same batches and
 * (on one BLAS thread) the same weights.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { CORPUS_SEED_BASE } from '@tsfm/workload-gen';
import { renderCurve } from '../curve-chart.js';
import {
  DEFAULT_POOL_FAMILIES,
  HELD_OUT_POOL_BASE,
  readMatchingPool,
  specFamilies,
  writePoolIndex,
  type PoolFamily,
  type PoolSpec,
} from '../data/pool.js';
import { buildTorchManifest, type TorchManifest } from '../manifest.js';
import { QUANTILE_LEVELS } from '../model/config.js';
import { calibrateSpreadOnValidation, type SpreadCalibrationResult } from '../calibration/validation-spread.js';
import {
  runTorchExport,
  runTorchTrainer,
  type TorchCurvePoint,
  type TorchDone,
  type TorchRecipe,
} from './python-trainer.js';

export const V2_MODEL_NAME = 'tsfm-seasonal-mixture';
const CONTEXT = 512;
const HORIZON = 64;
const OPSET = 17;
/** ONNX IR version torch 1.13 stamps at opset 17. */
const TORCH_IR_VERSION = 8;
const WRITE_POOL = fileURLToPath(new URL('../cli/write-pool.ts', import.meta.url));

export interface TorchPretrainOptions extends TorchRecipe {
  out: string;
  work: string;
  poolSeries: number;
  poolLength: number;
  heldOutSeries: number;
  poolWorkers: number;
  version: string;
  /** Spread calibration on the validation set v2-val after training (model card § Calibration), or none. */
  calibration: 'v2-val' | 'none';
  /** Where M4 and NAB live (the calibration stage reads their history windows). */
  dataDir?: string;
  /** Which pool families the corpus draws from (shares renormalised); chosen on v2-val, model card § Ablations. */
  poolFamilies: readonly PoolFamily[];
  log: (line: string) => void;
  /** Tests: stop the trainer after this step, checkpointed, as an interruption would. */
  stopAfter?: number;
}

export const DEFAULT_TORCH_PRETRAIN: Omit<TorchPretrainOptions, 'out' | 'work' | 'log'> = {
  seed: 1,
  // 24k steps × 256 windows: v2-val MASE kept falling from 12k (0.931) to 24k (0.870) steps, and
  // 24k fits the 2 h budget on one thread (≈ 62 min idle, ≈ 105 min beside a busy machine).
  steps: 24_000,
  batch: 256,
  hidden: 512,
  blocks: 2,
  lr: 1e-3,
  warmup: 500,
  lossWeighting: 'seasonal',
  mixupProb: 0.3,
  fullContextProb: 0.6,
  evalEvery: 500,
  checkpointEvery: 250,
  heldOutRows: 1024,
  maxMinutes: 115,
  poolSeries: 98_304,
  poolLength: 1536,
  heldOutSeries: 2048,
  poolWorkers: 2,
  version: '0.2.0',
  // All three families. Without the calendar family v2-val was better at 1 M windows (M4-val MASE
  // 0.947 vs 0.972) but worse at the shipped 24k steps (0.890 vs 0.870, mean CRPS 0.606 vs 0.599,
  // the selection rule): model card § Ablations.
  poolFamilies: DEFAULT_POOL_FAMILIES,
  // Off by default: on v2-val the fitted spread factors made scaled CRPS worse on both parts
  // (M4 0.585 → 0.624, NAB 0.626 → 0.630, in-sample even) and pushed M4's 80 % coverage out of
  // 0.76–0.84 (0.839 → 0.871): one set of factors cannot widen NAB's tails without widening M4's.
  calibration: 'none',
};

function poolDir(work: string, kind: string, spec: PoolSpec): string {
  const families = spec.families === undefined ? '' : `-${spec.families.join('+')}`;
  return join(work, `${kind}-seed${spec.corpusSeed - CORPUS_SEED_BASE}-n${spec.count}-len${spec.length}${families}`);
}

/** Writes the pool in `dir` with `workers` child processes unless a matching pool.json is there. */
async function ensurePool(dir: string, spec: PoolSpec, workers: number, log: (l: string) => void): Promise<void> {
  if (readMatchingPool(dir, spec)) {
    log(`pool ${dir}: present (${spec.count} series × ${spec.length})`);
    return;
  }
  const t0 = performance.now();
  log(`pool ${dir}: writing ${spec.count} series × ${spec.length} with ${workers} processes`);
  const args = (w: number): string[] => [
    '--import',
    'tsx',
    WRITE_POOL,
    '--dir',
    dir,
    '--count',
    String(spec.count),
    '--length',
    String(spec.length),
    '--corpus-seed',
    String(spec.corpusSeed),
    '--first-index',
    String(spec.firstIndex),
    '--worker',
    String(w),
    '--workers',
    String(workers),
    ...(spec.families === undefined ? [] : ['--families', spec.families.join(',')]),
  ];
  await Promise.all(
    Array.from(
      { length: workers },
      (_, w) =>
        new Promise<void>((ok, fail) => {
          const child = spawn(process.execPath, args(w), { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
          child.on('error', fail);
          child.on('close', (code) =>
            code === 0 ? ok() : fail(new Error(`pool writer ${w}/${workers} exited with ${code}: ${err.trim()}`)),
          );
        }),
    ),
  );
  writePoolIndex(dir, spec);
  log(`pool ${dir}: written in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

interface ReferenceOutputs {
  context: number[][];
  mask: number[][];
  quantiles: number[][][];
}

/** Largest |ORT − torch| over the recorded windows, relative to each window's context scale. */
export async function onnxParity(onnxPath: string, referencePath: string): Promise<number> {
  const ref = JSON.parse(readFileSync(referencePath, 'utf8')) as ReferenceOutputs;
  const rows = ref.context.length;
  const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const result = await session.run({
    context: new ort.Tensor('float32', Float32Array.from(ref.context.flat()), [rows, CONTEXT]),
    mask: new ort.Tensor('float32', Float32Array.from(ref.mask.flat()), [rows, CONTEXT]),
  });
  const out = result.quantiles.data as Float32Array;
  const q = QUANTILE_LEVELS.length;
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    let scale = 0;
    for (const v of ref.context[r]) scale = Math.max(scale, Math.abs(v));
    scale = Math.max(scale, 1e-6);
    for (let t = 0; t < HORIZON; t++)
      for (let k = 0; k < q; k++) {
        const d = Math.abs(out[(r * HORIZON + t) * q + k] - ref.quantiles[r][t][k]) / scale;
        worst = Math.max(worst, d);
      }
  }
  return worst;
}

/** Parity bound: float32 graphs that differ only in op order and fusion agree to ~1e-6 of the scale. */
export const PARITY_TOLERANCE = 1e-4;

export function torchManifest(
  onnx: Uint8Array,
  done: TorchDone,
  opts: TorchPretrainOptions,
  pools: { train: PoolSpec; heldOut: PoolSpec },
  calibration?: SpreadCalibrationResult,
): TorchManifest {
  const chosen = specFamilies({ families: opts.poolFamilies });
  const total = chosen.reduce((sum, f) => sum + f.share, 0);
  const mixture = chosen.map((f) => `${Math.round((f.share / total) * 100)}% ${f.what}`).join('; ');
  return buildTorchManifest(
    { context: CONTEXT, horizon: HORIZON, levels: QUANTILE_LEVELS, opset: OPSET, irVersion: TORCH_IR_VERSION },
    onnx,
    'default.onnx',
    { name: V2_MODEL_NAME, version: opts.version },
    {
      type: 'seasonal-reference-mixture-mlp',
      context: CONTEXT,
      horizon: HORIZON,
      levels: [...QUANTILE_LEVELS],
      hidden: opts.hidden,
      blocks: opts.blocks,
      periods: [1, 7, 12, 24, 48, 60, 96, 144, 168, 288, 336],
      backtestOrigins: [CONTEXT - 64, CONTEXT - 128],
      parameters: done.parameters,
      trainer: `PyTorch ${done.torch} (Debian python3-torch), python/tsfm_v2, exported with torch.onnx.export + python/tsfm_v2/graph_passes.py`,
    },
    {
      generator: `pool of ${pools.train.count} series × ${pools.train.length} points: ${mixture}; windows with TSMixup (p = ${opts.mixupProb})`,
      corpus: 'synthetic only (no M4, no NAB, no evaluation-fleet seeds)',
      seed: opts.seed,
      corpusSeed: pools.train.corpusSeed,
      seriesGenerated: pools.train.count,
      samples: done.samples,
      steps: done.steps,
      batch: opts.batch,
      heldOut: `${done.heldOutRows} windows from the held-out pool (${pools.heldOut.count} series from index ${pools.heldOut.firstIndex} of the same corpus seed); recipes chosen on the validation set v2-val (model card)`,
      wallSeconds: Math.round(done.wallSeconds),
      threads: 1,
      stoppedByTimeCap: done.stoppedByTimeCap,
      hyperparameters: { ...done.recipe, poolWorkers: opts.poolWorkers, poolFamilies: [...opts.poolFamilies] },
      ...(calibration === undefined ? {} : { calibration }),
    },
  );
}

export async function runTorchPretrain(opts: TorchPretrainOptions): Promise<TorchManifest> {
  const out = resolve(opts.out);
  const work = resolve(opts.work);
  mkdirSync(out, { recursive: true });
  mkdirSync(work, { recursive: true });
  const corpusSeed = CORPUS_SEED_BASE + opts.seed;
  // The default set = no families field, so the 0.2.0 corpus pools keep their folder names and indexes.
  const isDefault =
    opts.poolFamilies.length === DEFAULT_POOL_FAMILIES.length &&
    DEFAULT_POOL_FAMILIES.every((f) => opts.poolFamilies.includes(f));
  const families = isDefault ? {} : { families: opts.poolFamilies };
  const train: PoolSpec = { corpusSeed, firstIndex: 0, count: opts.poolSeries, length: opts.poolLength, ...families };
  const heldOut: PoolSpec = {
    corpusSeed,
    firstIndex: HELD_OUT_POOL_BASE,
    count: opts.heldOutSeries,
    length: opts.poolLength,
    ...families,
  };
  const trainDir = poolDir(work, 'pool', train);
  const heldDir = poolDir(work, 'held-out', heldOut);
  await ensurePool(heldDir, heldOut, opts.poolWorkers, opts.log);
  await ensurePool(trainDir, train, opts.poolWorkers, opts.log);

  const curvePath = join(out, 'training-curve.json');
  const curve: TorchCurvePoint[] = [];
  const done = await runTorchTrainer(
    trainDir,
    heldDir,
    join(work, 'train'),
    opts,
    (event) => {
      if (event.event === 'resumed') opts.log(`resumed from the checkpoint at step ${String(event.step)}`);
      if (event.event === 'eval') {
        const p = event as unknown as TorchCurvePoint;
        curve.push(p);
        opts.log(
          `step ${p.step}\ttrain ${p.trainLoss.toFixed(4)}\theld-out ${p.heldOutLoss.toFixed(4)}\tlr ${p.lr.toExponential(2)}\t${p.windowsPerS.toFixed(0)} windows/s\t${p.elapsedS.toFixed(0)} s`,
        );
      }
    },
    opts.stopAfter,
  );
  const onnxPath = join(out, 'default.onnx');
  copyFileSync(done.onnx, onnxPath);
  const parity = await onnxParity(onnxPath, join(work, 'train', 'reference-outputs.json'));
  if (!(parity <= PARITY_TOLERANCE)) {
    throw new Error(`ONNX Runtime and torch disagree on the exported model: max |Δ| ${parity} of the scale`);
  }
  opts.log(`ONNX parity with torch: max |Δ| ${parity.toExponential(2)} of the context scale`);
  let onnx = new Uint8Array(readFileSync(onnxPath));
  let manifest = torchManifest(onnx, done, opts, { train, heldOut });
  const manifestPath = join(out, 'model.json');
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  if (opts.calibration === 'v2-val') {
    const calibration = await calibrateSpreadOnValidation(manifestPath, opts.dataDir);
    const summary = (parts: SpreadCalibrationResult['before']): string =>
      parts.map((p) => `${p.part} 80% coverage ${p.coverage80.toFixed(3)}`).join(', ');
    opts.log(
      `spread calibration on ${calibration.set}: factors ${calibration.factors.map((d) => d.toFixed(3)).join(' ')}; before: ${summary(calibration.before)}; after: ${summary(calibration.after)}`,
    );
    const reference = join(work, 'train', 'reference-outputs-calibrated.json');
    await runTorchExport(join(work, 'train', 'checkpoint.pt'), heldDir, onnxPath, calibration.factors, reference);
    const calibratedParity = await onnxParity(onnxPath, reference);
    if (!(calibratedParity <= PARITY_TOLERANCE)) {
      throw new Error(
        `ONNX Runtime and torch disagree on the calibrated export: max |Δ| ${calibratedParity} of the scale`,
      );
    }
    onnx = new Uint8Array(readFileSync(onnxPath));
    manifest = torchManifest(onnx, done, opts, { train, heldOut }, calibration);
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  }
  writeFileSync(curvePath, JSON.stringify({ seed: opts.seed, points: done.curve }, null, 1) + '\n');
  await renderCurve(done.curve, join(out, 'training-curve.png'));
  opts.log(
    `wrote ${onnxPath} (${(onnx.byteLength / 1e6).toFixed(2)} MB, sha256 ${manifest.sha256.slice(0, 12)}…), ${done.steps} steps in ${done.wallSeconds.toFixed(0)} s${done.stoppedByTimeCap ? ' — STOPPED BY TIME CAP' : ''}`,
  );
  return manifest;
}
