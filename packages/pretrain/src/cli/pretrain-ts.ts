/**
 * `pretrain --trainer ts`: the v1 model (tsfm-mlp-quantile 0.1.0) with the hand-written
 * TypeScript trainer — kept so the first default model stays reproducible. Writes default.onnx,
 * model.json, training-curve.{json,png} and weights.bin to --out:
 *
 *   tsx packages/pretrain/src/cli/pretrain.ts --trainer ts --seed 1 --steps 10000 --minutes 55 \
 *     --out packages/pretrain/models/tsfm-mlp-quantile-0.1.0/
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type ModelConfig } from '../model/config.js';
import { buildOnnxModel } from '../model/export-onnx.js';
import { paramCount } from '../model/params.js';
import { loadWeights, saveWeights } from '../model/weights.js';
import { buildManifest } from '../manifest.js';
import { renderCurve } from '../curve-chart.js';
import { DEFAULT_TRAIN, HELD_OUT_INDEX_BASE, train, type CurvePoint } from '../train.js';
import { CORPUS_NAMES, MIXED_SEASONAL_FRACTION, type CorpusName } from '../data/corpus.js';

/** A flag this trainer cannot use; pretrain.ts prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export async function runTsPretrain(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string', default: '1' },
      steps: { type: 'string', default: '10000' },
      minutes: { type: 'string', default: '55' },
      batch: { type: 'string', default: String(DEFAULT_TRAIN.batch) },
      shards: { type: 'string', default: String(DEFAULT_TRAIN.shards) },
      'no-workers': { type: 'boolean', default: false },
      hidden: { type: 'string', default: String(DEFAULT_CONFIG.hidden) },
      blocks: { type: 'string', default: String(DEFAULT_CONFIG.blocks) },
      lr: { type: 'string', default: String(DEFAULT_TRAIN.lr) },
      corpus: { type: 'string', default: 'mixed' },
      out: { type: 'string', default: 'packages/pretrain/models/tsfm-mlp-quantile-0.1.0' },
      'eval-every': { type: 'string', default: String(DEFAULT_TRAIN.evalEvery) },
      warmup: { type: 'string', default: String(DEFAULT_TRAIN.warmupSteps) },
      init: { type: 'string' },
    },
  });

  const num = (k: keyof typeof a): number => {
    const v = Number(a[k]);
    if (!Number.isFinite(v)) throw new UsageError(`--${k} must be a number, got ${String(a[k])}`);
    return v;
  };
  const corpus = a.corpus as CorpusName;
  if (!CORPUS_NAMES.includes(corpus))
    throw new UsageError(`--corpus must be one of ${CORPUS_NAMES.join(', ')}, got ${corpus}`);
  const init = a.init === undefined ? undefined : loadWeights(resolve(a.init));
  const config: ModelConfig = init?.config ?? { ...DEFAULT_CONFIG, hidden: num('hidden'), blocks: num('blocks') };
  const out = resolve(a.out);
  mkdirSync(out, { recursive: true });
  const seed = num('seed');
  const opts = {
    ...DEFAULT_TRAIN,
    config,
    seed,
    corpus,
    steps: num('steps'),
    batch: num('batch'),
    shards: num('shards'),
    workers: !a['no-workers'],
    lr: num('lr'),
    maxMinutes: num('minutes'),
    evalEvery: num('eval-every'),
    warmupSteps: num('warmup'),
    initialParams: init?.params,
  };
  console.log(
    `pretrain: ${paramCount(config)} parameters, ${opts.steps} steps × ${opts.batch} rows, corpus ${corpus}, seed ${seed}, ${opts.shards} shards${opts.workers ? ' (worker threads)' : ''}`,
  );
  const curve: CurvePoint[] = [];
  const result = await train({
    ...opts,
    onEval: (p) => {
      curve.push(p);
      console.log(
        `step ${p.step}\ttrain ${p.trainLoss.toFixed(4)}\theld-out ${p.heldOutLoss.toFixed(4)}\tlr ${p.lr.toExponential(2)}\t${p.elapsedS.toFixed(0)} s`,
      );
      writeFileSync(join(out, 'training-curve.json'), JSON.stringify({ seed, corpus, points: curve }, null, 1));
    },
    onCheckpoint: (params, step) => saveWeights(join(out, 'weights.bin'), config, params, { seed, step }),
  });
  saveWeights(join(out, 'weights.bin'), config, result.params, { seed, step: result.stepsDone });
  const onnx = buildOnnxModel(config, result.params, {
    docString: `tsfm-mlp-quantile, seed ${seed}, ${result.stepsDone} steps on ${corpus}`,
  });
  writeFileSync(join(out, 'default.onnx'), onnx);
  const { lr, warmupSteps, minLrFraction, adamw, windows } = opts;
  const manifest = buildManifest(config, onnx, 'default.onnx', {
    generator:
      corpus === 'workload-gen'
        ? '@tsfm/workload-gen corpusSeries'
        : corpus === 'standin'
          ? '@tsfm/pretrain seasonalCorpusSeries'
          : `@tsfm/workload-gen corpusSeries (${100 - MIXED_SEASONAL_FRACTION * 100}% of series) + @tsfm/pretrain seasonalCorpusSeries (${MIXED_SEASONAL_FRACTION * 100}%), interleaved by a hash of the series index`,
    corpus: 'synthetic only (no M4, no NAB, no evaluation-fleet seeds)',
    seed,
    corpusSeed: result.corpusSeed,
    seriesGenerated: result.seriesGenerated,
    samples: result.samples,
    steps: result.stepsDone,
    batch: opts.batch,
    heldOut: `${opts.heldOutRows} windows from series indices ≥ ${HELD_OUT_INDEX_BASE} of the same corpus seed`,
    wallSeconds: Math.round(result.wallS),
    threads: opts.workers ? opts.shards : 1,
    stoppedByTimeCap: result.stoppedByTimeCap,
    hyperparameters: {
      lr,
      warmupSteps,
      minLrFraction,
      adamw,
      windows,
      loss: 'pinball averaged over levels, normalised scale',
      ...(init ? { initialisedFrom: { path: a.init, seed: init.meta.seed, step: init.meta.step } } : {}),
    },
  });
  writeFileSync(join(out, 'model.json'), JSON.stringify(manifest, null, 2) + '\n');
  await renderCurve(curve, join(out, 'training-curve.png'));
  console.log(
    `wrote ${join(out, 'default.onnx')} (${(onnx.byteLength / 1e6).toFixed(2)} MB, sha256 ${manifest.sha256.slice(0, 12)}…) in ${result.wallS.toFixed(0)} s on ${cpus().length} CPUs${result.stoppedByTimeCap ? ' — STOPPED BY TIME CAP' : ''}`,
  );
}
