/**
 * Scores a model manifest on the validation set `v2-val` (src/validation/validation-set.ts) —
 * the set every v2 recipe was chosen on; never the windows `evaluate` reports.
 *
 *   tsx packages/pretrain/scripts/validate.ts <model.json> [--json out.json] [--calibration none|in-context]
 *
 * Per part (m4-history, nab-history): MASE of the median, scaled CRPS, 80 % coverage, the
 * geometric mean over series of the MASE ratio to seasonal naive (and to naive on NAB), and the
 * calibration per level (share of actuals below each quantile, ties counted half), with seasonal naive's
 * MASE beside; for a part with few series (NAB), each series' misses below and above the 80 %
 * interval. Metrics come from @tsfm/losses, as in evaluate.
 */
import { writeFileSync } from 'node:fs';
import {
  coverage,
  crpsApprox,
  IN_CONTEXT_CALIBRATION,
  intervalSides,
  mase,
  robustSeasonalScale,
  scaleAroundMedian,
  SideRatios,
  type SideScales,
} from '@tsfm/losses';
import {
  countBelow,
  DEFAULT_DATA_DIR,
  m4HistoryWindows,
  nabHistoryWindows,
  VALIDATION_SET_NAME,
  type ValidationWindow,
} from '../src/validation/validation-set.js';
import { forecast, loadModel, type Loaded } from '../src/validation/onnx-forecast.js';
import { scriptArgs } from './script-cli.js';

export interface PartScore {
  part: string;
  windows: number;
  mase: number;
  snaiveMase: number;
  crps: number;
  coverage80: number;
  geoRatioSnaive: number;
  geoRatioNaive: number;
  calibration: { level: number; below: number }[];
  /** Per series (parts with few series only): where its 80 % interval misses. */
  tails?: SeriesTails[];
}

/**
 * One series' 80 % interval, split by side. `zeroAtLower` counts actuals of exactly 0 with the
 * 0.1 quantile clamped to 0: they are inside the interval, but the calibration table counts such
 * ties as half below every clamped level, which reads as a too-narrow lower tail when it is not.
 */
export interface SeriesTails {
  series: string;
  points: number;
  coverage80: number;
  belowLower: number;
  aboveUpper: number;
  zeroAtLower: number;
}

/** Parts with at most this many series print their per-series tails. */
const TAILS_MAX_SERIES = 20;

function seasonalNaive(history: Float32Array, h: number, m: number): Float32Array {
  const out = new Float32Array(h);
  for (let t = 0; t < h; t++) out[t] = history[history.length - m + (t % m)];
  return out;
}

function naive(history: Float32Array, h: number): Float32Array {
  let last = NaN;
  for (let i = history.length - 1; i >= 0 && !Number.isFinite(last); i--) last = history[i];
  return new Float32Array(h).fill(last);
}

function geoMean(xs: number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  return Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length);
}

/**
 * Per window, the side factors of in-context calibration (@tsfm/losses side-scales.ts): the model
 * forecasts from up to 6 origins one horizon apart inside the window's own history, and the
 * actuals there say how far to stretch each side of the fan. One batched model call.
 */
async function inContextScales(model: Loaded, windows: ValidationWindow[]): Promise<SideScales[]> {
  const { backtests, minBacktestHistory } = IN_CONTEXT_CALIBRATION;
  const levels = model.manifest.quantileLevels;
  const Q = levels.length;
  const [med, lo, hi] = [levels.indexOf(0.5), levels.indexOf(0.1), levels.indexOf(0.9)];
  const runs: { window: number; origin: number }[] = [];
  windows.forEach((w, i) => {
    for (let k = 1; k <= backtests; k++) {
      const origin = w.history.length - k * w.actual.length;
      if (origin >= minBacktestHistory) runs.push({ window: i, origin });
    }
  });
  const fc = await forecast(
    model,
    runs.map((r) => windows[r.window].history.subarray(0, r.origin)),
  );
  const ratios = windows.map(() => new SideRatios());
  runs.forEach((r, j) => {
    const w = windows[r.window];
    const nonNegative = w.history.every((v) => !(v < 0));
    const at = (t: number, k: number): number => (nonNegative ? Math.max(0, fc[j][t * Q + k]) : fc[j][t * Q + k]);
    for (let t = 0; t < w.actual.length; t++)
      ratios[r.window].add(w.history[r.origin + t], at(t, med), at(t, lo), at(t, hi));
  });
  return ratios.map((r) => r.scales());
}

export async function scorePart(
  model: Loaded,
  part: string,
  windows: ValidationWindow[],
  calibrate = false,
): Promise<PartScore> {
  const levels = model.manifest.quantileLevels;
  const Q = levels.length;
  const med = levels.indexOf(0.5);
  const lo = levels.indexOf(0.1);
  const hi = levels.indexOf(0.9);
  const fc = await forecast(
    model,
    windows.map((w) => w.history),
  );
  const scales = calibrate ? await inContextScales(model, windows) : null;
  const below = new Float64Array(Q);
  let observed = 0;
  const maseV: number[] = [];
  const snV: number[] = [];
  const crpsV: number[] = [];
  const covV: number[] = [];
  const perSeries = new Map<string, { model: number[]; sn: number[]; nv: number[] }>();
  const tails = new Map<string, SeriesTails>();
  windows.forEach((w, i) => {
    const h = w.actual.length;
    const nonNegative = w.history.every((v) => !(v < 0));
    const q = new Float32Array(h * Q);
    for (let t = 0; t < h; t++)
      for (let k = 0; k < Q; k++) {
        const v = fc[i][t * Q + k];
        q[t * Q + k] = nonNegative ? Math.max(0, v) : v;
      }
    if (scales) scaleAroundMedian(q, Q, h, med, scales[i], nonNegative);
    const point = Float32Array.from({ length: h }, (_, t) => q[t * Q + med]);
    const m = mase(w.history, w.actual, point, w.period);
    const sn = mase(w.history, w.actual, seasonalNaive(w.history, h, w.period), w.period);
    const nv = mase(w.history, w.actual, naive(w.history, h), w.period);
    maseV.push(m);
    snV.push(sn);
    crpsV.push(crpsApprox(w.actual, q, levels) / robustSeasonalScale(w.history, w.period));
    covV.push(
      coverage(
        w.actual,
        Float32Array.from({ length: h }, (_, t) => q[t * Q + lo]),
        Float32Array.from({ length: h }, (_, t) => q[t * Q + hi]),
      ),
    );
    const s = perSeries.get(w.series) ?? { model: [], sn: [], nv: [] };
    s.model.push(m);
    s.sn.push(sn);
    s.nv.push(nv);
    perSeries.set(w.series, s);
    observed += countBelow(w.actual, q, Q, below);
    const lower = Float32Array.from({ length: h }, (_, t) => q[t * Q + lo]);
    const upper = Float32Array.from({ length: h }, (_, t) => q[t * Q + hi]);
    const sides = intervalSides(w.actual, lower, upper);
    const tail = tails.get(w.series) ?? {
      series: w.series,
      points: 0,
      coverage80: 0,
      belowLower: 0,
      aboveUpper: 0,
      zeroAtLower: 0,
    };
    tail.points += sides.observed;
    tail.coverage80 += sides.inside;
    tail.belowLower += sides.below;
    tail.aboveUpper += sides.above;
    for (let t = 0; t < h; t++) if (w.actual[t] === 0 && lower[t] === 0) tail.zeroAtLower++;
    tails.set(w.series, tail);
  });
  const mean = (xs: number[]): number => {
    const ok = xs.filter(Number.isFinite);
    return ok.reduce((a, x) => a + x, 0) / ok.length;
  };
  const ratios = (key: 'sn' | 'nv'): number[] => [...perSeries.values()].map((s) => mean(s.model) / mean(s[key]));
  return {
    part,
    windows: windows.length,
    mase: mean(maseV),
    snaiveMase: mean(snV),
    crps: mean(crpsV),
    coverage80: mean(covV),
    geoRatioSnaive: geoMean(ratios('sn')),
    geoRatioNaive: geoMean(ratios('nv')),
    calibration: levels.map((level, k) => ({ level, below: below[k] / observed })),
    ...(tails.size <= TAILS_MAX_SERIES
      ? {
          tails: [...tails.values()].map((t) => ({
            ...t,
            coverage80: t.coverage80 / t.points,
            belowLower: t.belowLower / t.points,
            aboveUpper: t.aboveUpper / t.points,
          })),
        }
      : {}),
  };
}

export async function validateManifest(
  manifestPath: string,
  dataDir = DEFAULT_DATA_DIR,
  calibrate = false,
): Promise<PartScore[]> {
  const model = await loadModel(manifestPath, 1);
  return [
    await scorePart(model, 'm4-history', await m4HistoryWindows(dataDir), calibrate),
    await scorePart(model, 'nab-history', await nabHistoryWindows(dataDir), calibrate),
  ];
}

function format(scores: PartScore[]): string {
  const lines = [
    `validation set ${VALIDATION_SET_NAME}`,
    '| part | windows | MASE | snaive MASE | CRPS (scaled) | 80% coverage | geo ratio vs snaive | geo ratio vs naive |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of scores)
    lines.push(
      `| ${s.part} | ${s.windows} | ${s.mase.toFixed(3)} | ${s.snaiveMase.toFixed(3)} | ${s.crps.toFixed(3)} | ${s.coverage80.toFixed(3)} | ${s.geoRatioSnaive.toFixed(3)} | ${s.geoRatioNaive.toFixed(3)} |`,
    );
  for (const s of scores)
    lines.push(`calibration ${s.part}: ${s.calibration.map((c) => `${c.level}→${c.below.toFixed(3)}`).join(' ')}`);
  for (const s of scores) {
    if (!s.tails) continue;
    lines.push(
      '',
      `${s.part} per series: share of actuals inside the 80 % interval, below the 0.1 quantile, above the 0.9 quantile; actuals of 0 at a clamped 0.1 quantile`,
      '| series | points | inside | below q0.1 | above q0.9 | 0 at clamped q0.1 |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...s.tails.map(
        (t) =>
          `| ${t.series} | ${t.points} | ${t.coverage80.toFixed(3)} | ${t.belowLower.toFixed(3)} | ${t.aboveUpper.toFixed(3)} | ${t.zeroAtLower} |`,
      ),
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = scriptArgs({
    name: 'validate',
    usage: 'usage: validate.ts <model.json> [--json out.json] [--calibration none|in-context]',
    flags: ['json', 'calibration'],
    positionals: { min: 1, max: 1 },
  });
  const calibration = values.calibration ?? 'none';
  if (calibration !== 'none' && calibration !== 'in-context') {
    process.stderr.write(`validate: --calibration must be none or in-context, got ${calibration}\n`);
    process.exit(2);
  }
  const calibrate = calibration === 'in-context';
  const scores = await validateManifest(positionals[0], DEFAULT_DATA_DIR, calibrate);
  if (calibrate) console.log('with in-context calibration (@tsfm/losses side-scales.ts)');
  console.log(format(scores));
  if (values.json) writeFileSync(values.json, JSON.stringify(scores, null, 1) + '\n');
}
