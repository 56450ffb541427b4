/**
 * Quick zero-shot check on the NAB realAWSCloudwatch series (5-minute, h = 12): rolling origins
 * every 12 steps over the last 2 days of each file (48 origins), context = up to 512 points
 * before the origin. MASE per forecast is MAE / in-sample MAE of the daily (m = 288) seasonal
 * naive on the history before the origin; reported as the mean over origins and files, for the
 * model median, seasonal naive (m = 288) and naive-last. Values are taken in file order (the few
 * irregular timestamps are not resampled in this quick script).
 *
 *   tsx packages/pretrain/scripts/eval-nab.ts [packages/pretrain/model/model.json]
 */
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forecast, loadModel } from '../src/validation/onnx-forecast.js';
import { scriptArgs } from './script-cli.js';

const { positionals } = scriptArgs({
  name: 'eval-nab',
  usage: 'usage: eval-nab.ts [model.json]   (NAB_DIR: the folder of NAB CSVs)',
  positionals: { min: 0, max: 1 },
});

const DIR = process.env.NAB_DIR ?? fileURLToPath(new URL('../../../../shared/data/nab', import.meta.url));
const H = 12,
  M = 288,
  ORIGINS = 48;

const model = await loadModel(positionals[0] ?? 'packages/pretrain/model/model.json');
const Q = model.manifest.quantileLevels.length,
  med = model.manifest.quantileLevels.indexOf(0.5);
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.csv'))
  .sort();
const totals = { model: 0, snaive: 0, naive: 0 };
let n = 0;
for (const f of files) {
  const values = readFileSync(join(DIR, f), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => Number(l.split(',')[1]));
  const origins = Array.from({ length: ORIGINS }, (_, k) => values.length - H * (ORIGINS - k));
  const fc = await forecast(
    model,
    origins.map((o) => values.slice(0, o)),
  );
  const per = { model: 0, snaive: 0, naive: 0 };
  origins.forEach((o, i) => {
    let scale = 0;
    for (let t = M; t < o; t++) scale += Math.abs(values[t] - values[t - M]);
    scale = scale / (o - M) || 1e-9;
    for (let t = 0; t < H; t++) {
      const y = values[o + t];
      per.model += Math.abs(y - fc[i][t * Q + med]) / scale;
      per.snaive += Math.abs(y - values[o + t - M]) / scale;
      per.naive += Math.abs(y - values[o - 1]) / scale;
    }
  });
  const d = ORIGINS * H;
  console.log(
    `${f.padEnd(36)} model ${(per.model / d).toFixed(3)}  snaive ${(per.snaive / d).toFixed(3)}  naive ${(per.naive / d).toFixed(3)}`,
  );
  totals.model += per.model / d;
  totals.snaive += per.snaive / d;
  totals.naive += per.naive / d;
  n++;
}
console.log(`nab_model_mase: ${(totals.model / n).toFixed(4)}`);
console.log(`nab_seasonal_naive_mase: ${(totals.snaive / n).toFixed(4)}`);
console.log(`nab_naive_last_mase: ${(totals.naive / n).toFixed(4)}`);
