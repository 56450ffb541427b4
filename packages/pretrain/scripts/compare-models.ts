/**
 * Two ONNX files with the same contract (an fp32 model and its int8 variant, say) on the windows of
 * the validation set v2-val: how far apart their quantiles are on the model's normalised scale,
 * and whether either crosses. Latency is graph-ab.ts's job (the two files alternating on one batch).
 *
 *   tsx packages/pretrain/scripts/compare-models.ts <reference model.json> <candidate model.json|file.onnx>
 *       [--batch 64] [--threads 1]
 *
 * Accuracy runs in batches of --batch rows (as validate.ts does: a dynamically quantised model's
 * activation scale is per batch, so the batch matters). The normalised scale is the graph's own:
 * (q − mean) / (masked std + 1e-4 |mean| + 1e-8) of the last contextLength observed points, so an
 * error of 0.01 is 1 % of the window's standard deviation.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Manifest } from '../src/manifest.js';
import { DEFAULT_DATA_DIR, m4HistoryWindows, nabHistoryWindows } from '../src/validation/validation-set.js';
import { forecast, loadModel, type Loaded } from '../src/validation/onnx-forecast.js';
import { SCALE_EPS_ABS, SCALE_EPS_REL } from '../src/model/config.js';
import { scriptArgs } from './script-cli.js';

const { values: given, positionals } = scriptArgs({
  name: 'compare-models',
  usage: 'usage: compare-models.ts <reference model.json> <candidate model.json|file.onnx> [--batch 64] [--threads 1]',
  flags: ['batch', 'threads'],
  positionals: { min: 2, max: 2 },
});
const values = { batch: '64', threads: '1', ...given };
const threads = Number(values.threads);
const [refPath, candPath] = positionals as [string, string];

async function loadCandidate(path: string, refManifest: Manifest): Promise<Loaded> {
  if (path.endsWith('.json')) return loadModel(path, threads);
  if (!existsSync(path)) throw new Error(`no file ${path}`);
  // A bare .onnx file: the reference's contract, this file.
  const session = await ort.InferenceSession.create(resolve(path), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  return { session, manifest: refManifest };
}

/** The graph's (mean, scale) of a history's last C points. */
function rowScale(history: Float32Array, C: number): { mu: number; s: number } {
  let n = 0,
    sum = 0;
  for (let i = Math.max(0, history.length - C); i < history.length; i++) {
    if (Number.isFinite(history[i])) {
      n++;
      sum += history[i];
    }
  }
  const mu = n > 0 ? sum / n : 0;
  let v = 0;
  for (let i = Math.max(0, history.length - C); i < history.length; i++) {
    if (Number.isFinite(history[i])) v += (history[i] - mu) ** 2;
  }
  return { mu, s: Math.sqrt(v / Math.max(1, n)) + SCALE_EPS_REL * Math.abs(mu) + SCALE_EPS_ABS };
}

function crossings(q: Float32Array, Q: number): number {
  let c = 0;
  for (let t = 0; t < q.length; t += Q) for (let k = 1; k < Q; k++) if (q[t + k] < q[t + k - 1]) c++;
  return c;
}

const ref = await loadModel(refPath, threads);
const cand = await loadCandidate(candPath, ref.manifest);
const windows = [...(await m4HistoryWindows(DEFAULT_DATA_DIR)), ...(await nabHistoryWindows(DEFAULT_DATA_DIR))];
const histories = windows.map((w) => w.history);
const batch = Number(values.batch);
const [a, b] = [await forecast(ref, histories, batch), await forecast(cand, histories, batch)];
const C = ref.manifest.contextLength,
  Q = ref.manifest.quantileLevels.length;
const errs: number[] = [];
let crossRef = 0,
  crossCand = 0,
  sumAbs = 0;
for (let i = 0; i < windows.length; i++) {
  const { s } = rowScale(histories[i], C);
  for (let j = 0; j < a[i].length; j++) {
    const e = Math.abs(a[i][j] - b[i][j]) / s;
    errs.push(e);
    sumAbs += e;
  }
  crossRef += crossings(a[i], Q);
  crossCand += crossings(b[i], Q);
}
errs.sort((x, y) => x - y);
const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
console.log(`${windows.length} v2-val windows, batches of ${batch}, ${threads} thread(s)`);
console.log(
  `normalised |candidate − reference|: mean ${(sumAbs / errs.length).toExponential(3)}, p50 ${pct(errs, 0.5).toExponential(3)}, p99 ${pct(errs, 0.99).toExponential(3)}, max ${errs[errs.length - 1].toExponential(3)}`,
);
console.log(`crossing adjacent quantile pairs: reference ${crossRef}, candidate ${crossCand}`);
