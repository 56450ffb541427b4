/**
 * npm run pretrain — trains the default forecaster from a seed and writes it to --out.
 *
 *   tsx packages/pretrain/src/cli/pretrain.ts                  # v2 default model (PyTorch trainer)
 *   tsx packages/pretrain/src/cli/pretrain.ts --trainer ts ... # v1 (tsfm-mlp-quantile 0.1.0)
 *
 * Interrupted runs resume: rerun the same command (the pool's chunks and the trainer's checkpoint
 * in --work are kept and validated against the recipe).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TORCH_PRETRAIN, runTorchPretrain, type TorchPretrainOptions } from '../torch/pipeline.js';
import { POOL_FAMILIES, parsePoolFamilies, type PoolFamily } from '../data/pool.js';
import { TorchTrainerError } from '../torch/python-trainer.js';
import { runTsPretrain, UsageError } from './pretrain-ts.js';

const USAGE = `usage: pretrain [--trainer torch|ts] [options]

v2 (default, --trainer torch): pool of synthetic series → PyTorch trainer → ONNX → model.json
  --out DIR              model folder (default packages/pretrain/model)
  --work DIR             pool, checkpoints and exports (default out/pretrain-v2)
  --seed N               (default ${DEFAULT_TORCH_PRETRAIN.seed})
  --steps N              optimiser steps (default ${DEFAULT_TORCH_PRETRAIN.steps})
  --batch N              windows per step (default ${DEFAULT_TORCH_PRETRAIN.batch})
  --hidden N --blocks N  trunk width and residual blocks (default ${DEFAULT_TORCH_PRETRAIN.hidden}, ${DEFAULT_TORCH_PRETRAIN.blocks})
  --lr X --warmup N      peak learning rate, warm-up steps (default ${DEFAULT_TORCH_PRETRAIN.lr}, ${DEFAULT_TORCH_PRETRAIN.warmup})
  --loss-weighting W     seasonal | std (default ${DEFAULT_TORCH_PRETRAIN.lossWeighting})
  --mixup P              TSMixup probability (default ${DEFAULT_TORCH_PRETRAIN.mixupProb})
  --pool-series N        training pool size (default ${DEFAULT_TORCH_PRETRAIN.poolSeries})
  --pool-length N        points per pool series (default ${DEFAULT_TORCH_PRETRAIN.poolLength})
  --pool-workers N       pool-writing processes (default ${DEFAULT_TORCH_PRETRAIN.poolWorkers})
  --pool-families a,b    corpus families (default ${DEFAULT_TORCH_PRETRAIN.poolFamilies.join(',')}; known: ${POOL_FAMILIES.map((f) => f.name).join(',')})
  --calibration C        v2-val | none: spread calibration on the validation set after training (default ${DEFAULT_TORCH_PRETRAIN.calibration})
  --data DIR             M4 and NAB for the calibration stage (default ../shared/data)
  --minutes X            training time cap (default ${DEFAULT_TORCH_PRETRAIN.maxMinutes})
  --version V            model version in model.json (default ${DEFAULT_TORCH_PRETRAIN.version})
v1 (--trainer ts): see packages/pretrain/src/cli/pretrain-ts.ts`;

function families(text: string | undefined, fallback: readonly PoolFamily[]): readonly PoolFamily[] {
  if (text === undefined) return fallback;
  try {
    return parsePoolFamilies(text);
  } catch (e) {
    throw new UsageError(`--pool-families: ${(e as Error).message}`);
  }
}

function torchOptions(argv: string[]): TorchPretrainOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      trainer: { type: 'string' },
      out: { type: 'string', default: 'packages/pretrain/model' },
      work: { type: 'string', default: 'out/pretrain-v2' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      batch: { type: 'string' },
      hidden: { type: 'string' },
      blocks: { type: 'string' },
      lr: { type: 'string' },
      warmup: { type: 'string' },
      'loss-weighting': { type: 'string' },
      mixup: { type: 'string' },
      'pool-series': { type: 'string' },
      'pool-length': { type: 'string' },
      'pool-workers': { type: 'string' },
      'pool-families': { type: 'string' },
      calibration: { type: 'string' },
      data: { type: 'string' },
      minutes: { type: 'string' },
      version: { type: 'string' },
    },
    strict: true,
  });
  const d = DEFAULT_TORCH_PRETRAIN;
  const int = (flag: string, value: string | undefined, fallback: number, min = 1): number => {
    if (value === undefined) return fallback;
    const v = Number(value);
    if (!Number.isSafeInteger(v) || v < min)
      throw new UsageError(`--${flag} must be an integer ≥ ${min}, got ${value}`);
    return v;
  };
  const real = (flag: string, value: string | undefined, fallback: number, lo: number, hi: number): number => {
    if (value === undefined) return fallback;
    const v = Number(value);
    if (!Number.isFinite(v) || v < lo || v > hi)
      throw new UsageError(`--${flag} must be in [${lo}, ${hi}], got ${value}`);
    return v;
  };
  const calibration = values.calibration ?? d.calibration;
  if (calibration !== 'v2-val' && calibration !== 'none')
    throw new UsageError(`--calibration must be v2-val or none, got ${calibration}`);
  const weighting = values['loss-weighting'] ?? d.lossWeighting;
  if (weighting !== 'seasonal' && weighting !== 'std')
    throw new UsageError(`--loss-weighting must be seasonal or std, got ${weighting}`);
  return {
    ...d,
    out: values.out,
    work: values.work,
    seed: int('seed', values.seed, d.seed, 0),
    steps: int('steps', values.steps, d.steps),
    batch: int('batch', values.batch, d.batch),
    hidden: int('hidden', values.hidden, d.hidden),
    blocks: int('blocks', values.blocks, d.blocks, 0),
    lr: real('lr', values.lr, d.lr, 1e-6, 1),
    warmup: int('warmup', values.warmup, d.warmup, 0),
    lossWeighting: weighting,
    mixupProb: real('mixup', values.mixup, d.mixupProb, 0, 1),
    poolSeries: int('pool-series', values['pool-series'], d.poolSeries),
    poolLength: int('pool-length', values['pool-length'], d.poolLength, 640),
    poolWorkers: int('pool-workers', values['pool-workers'], d.poolWorkers),
    maxMinutes: real('minutes', values.minutes, d.maxMinutes, 0.01, 10_000),
    version: values.version ?? d.version,
    poolFamilies: families(values['pool-families'], d.poolFamilies),
    calibration,
    ...(values.data === undefined ? {} : { dataDir: values.data }),
    log: (line) => console.log(`pretrain: ${line}`),
  };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const trainerAt = argv.indexOf('--trainer');
  const trainer = trainerAt >= 0 ? argv[trainerAt + 1] : 'torch';
  try {
    if (trainer === 'ts') {
      await runTsPretrain(argv.filter((_, i) => i !== trainerAt && i !== trainerAt + 1));
      return 0;
    }
    if (trainer !== 'torch') throw new UsageError(`--trainer must be torch or ts, got ${String(trainer)}`);
    await runTorchPretrain(torchOptions(argv));
    return 0;
  } catch (e) {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (usage) {
      console.error(`pretrain: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof TorchTrainerError) {
      console.error(`pretrain: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
