/**
 * Quick zero-shot M4-Hourly check used while iterating (the official evaluator comes later):
 * the last 512 train values as context, the first 48 of 64 forecast steps, MASE with m = 24
 * (MAE / in-sample MAE of the lag-24 naive over the whole train part) and sMAPE, averaged over
 * the 414 series. Seasonal naive (1.193 published) is recomputed as a sanity check.
 *
 *   tsx packages/pretrain/scripts/eval-m4.ts [packages/pretrain/model/model.json]
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { forecast, loadModel } from '../src/validation/onnx-forecast.js';
import { scriptArgs } from './script-cli.js';

const { positionals } = scriptArgs({
  name: 'eval-m4',
  usage: 'usage: eval-m4.ts [model.json]   (M4_DIR: the M4 folder; M4_WORST=N lists the N worst series)',
  positionals: { min: 0, max: 1 },
});

const DATA = process.env.M4_DIR ?? fileURLToPath(new URL('../../../../shared/data/m4', import.meta.url));
const H = 48,
  M = 24;

function readWide(path: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = lines[i].split(',').map((c) => c.replace(/^"|"$/g, ''));
    rows.set(
      cells[0],
      cells
        .slice(1)
        .filter((c) => c !== '')
        .map(Number),
    );
  }
  return rows;
}

const modelJson = positionals[0] ?? 'packages/pretrain/model/model.json';
const train = readWide(`${DATA}/Hourly-train.csv`);
const test = readWide(`${DATA}/Hourly-test.csv`);
const ids = [...train.keys()];
const model = await loadModel(modelJson);
const Q = model.manifest.quantileLevels.length,
  med = model.manifest.quantileLevels.indexOf(0.5);
const t0 = performance.now();
const fc = await forecast(model, [...train.values()]);
const ms = performance.now() - t0;

let mase = 0,
  smape = 0,
  snMase = 0,
  cover = 0,
  pin = 0;
const perSeries: { id: string; mase: number; sn: number }[] = [];
ids.forEach((id, s) => {
  const x = train.get(id),
    y = test.get(id);
  if (x === undefined || y === undefined) throw new Error(`series ${id} is missing from the train or test file`);
  let scale = 0;
  for (let t = M; t < x.length; t++) scale += Math.abs(x[t] - x[t - M]);
  scale /= x.length - M;
  let ae = 0,
    sae = 0,
    sm = 0,
    cv = 0,
    pl = 0;
  for (let t = 0; t < H; t++) {
    const yhat = fc[s][t * Q + med];
    ae += Math.abs(y[t] - yhat);
    sm += (2 * Math.abs(y[t] - yhat)) / (Math.abs(y[t]) + Math.abs(yhat));
    sae += Math.abs(y[t] - x[x.length - M + (t % M)]);
    const lo = fc[s][t * Q + 0],
      hi = fc[s][t * Q + Q - 1];
    if (y[t] >= lo && y[t] <= hi) cv++;
    for (let k = 0; k < Q; k++) {
      const a = model.manifest.quantileLevels[k],
        d = y[t] - fc[s][t * Q + k];
      pl += d >= 0 ? a * d : (a - 1) * d;
    }
  }
  perSeries.push({ id, mase: ae / H / scale, sn: sae / H / scale });
  mase += ae / H / scale;
  snMase += sae / H / scale;
  smape += (100 * sm) / H;
  cover += cv / H;
  pin += pl / H / Q / scale;
});
const n = ids.length;
console.log(`M4-Hourly (${n} series, h=${H}, context ≤ ${model.manifest.contextLength})`);
console.log(`model_mase: ${(mase / n).toFixed(4)}`);
console.log(`model_smape: ${(smape / n).toFixed(3)}`);
console.log(`model_scaled_pinball: ${(pin / n).toFixed(4)}`);
console.log(`model_coverage_01_99: ${(cover / n).toFixed(3)}`);
console.log(`seasonal_naive_mase: ${(snMase / n).toFixed(4)}`);
perSeries.sort((a, b) => a.mase - b.mase);
console.log(`model_mase_median: ${perSeries[perSeries.length >> 1].mase.toFixed(4)}`);
console.log(`series_beating_seasonal_naive: ${perSeries.filter((p) => p.mase < p.sn).length}`);
if (process.env.M4_WORST)
  for (const p of perSeries.slice(-Number(process.env.M4_WORST)))
    console.log(`  worst ${p.id}: mase ${p.mase.toFixed(3)} (seasonal naive ${p.sn.toFixed(3)})`);
console.log(`inference_ms: ${ms.toFixed(1)}`);
