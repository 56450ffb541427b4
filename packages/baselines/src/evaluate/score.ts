/**
 * Scoring one forecast window and summarising a model over a dataset.
 *
 * Point metrics follow M4 (sMAPE, MASE with lag m, OWA vs Naive2 from the dataset averages, as M4
 * computes it). Distribution metrics are made scale-free the MASE way (design.md §2): the CRPS
 * approximation (mean over steps of 2·pinball averaged over all 13 levels) and the pinball loss at
 * 0.9 are divided by the window's in-sample seasonal-naive MAE (`robustSeasonalScale`, lag m), so
 * a CPU-percent series and a bytes series weigh the same and a value of 1 is "as large as a
 * seasonal naive one-season-ahead error".
 */
import {
  coverage,
  crpsApprox,
  interpolateQuantileRow,
  mase,
  meanPinball,
  owa,
  robustSeasonalScale,
  smape,
} from '@tsfm/losses';
import type { QuantileForecast } from '../types.js';
import type { EvalTask } from './dataset.js';

export interface TaskScore {
  readonly smape: number;
  readonly mase: number;
  readonly crps: number;
  readonly pinball90: number;
  readonly coverage80: number;
}

/** Scores one window; the MASE lag and the scale's lag are the task's seasonal period. */
export function scoreTask(task: EvalTask, forecast: QuantileForecast): TaskScore {
  const { period } = task;
  const h = task.actual.length;
  const k = forecast.levels.length;
  const scale = robustSeasonalScale(task.history, period);
  const q90 = interpolateQuantileRow(forecast.levels, forecast.quantiles, k, h, 0.9);
  const q10 = interpolateQuantileRow(forecast.levels, forecast.quantiles, k, h, 0.1);
  return {
    smape: smape(task.actual, forecast.point),
    mase: mase(task.history, task.actual, forecast.point, period),
    crps: crpsApprox(task.actual, forecast.quantiles, forecast.levels) / scale,
    pinball90: meanPinball(task.actual, q90, 0.9) / scale,
    coverage80: coverage(task.actual, q10, q90),
  };
}

export interface ModelSummary {
  readonly model: string;
  readonly windows: number;
  /** Windows where the model threw and seasonal naive stood in (see run.ts). */
  readonly failed: number;
  readonly smape: number;
  readonly mase: number;
  /** Present when the dataset has a Naive2 reference. */
  readonly owa?: number;
  readonly crps: number;
  readonly pinball90: number;
  readonly coverage80: number;
  /** Sum over windows of the model's own fit + forecast time (independent of worker count). */
  readonly seconds: number;
  /** Windows whose metric was not finite (e.g. MASE of a constant history) and left out of it. */
  readonly nonFinite: number;
  /**
   * Geometric mean over series of (the series' mean MASE) / (the reference's mean MASE on the
   * same windows): below 1 beats the reference on the typical series. Arithmetic MASE means are
   * dominated by a few series with regime changes; this is not.
   */
  readonly geoRatioSnaive?: number;
  readonly geoRatioNaive?: number;
}

/** The series a task belongs to: its id without the `@origin` of rolling-origin tasks. */
export function seriesOf(taskId: string): string {
  const at = taskId.lastIndexOf('@');
  return at < 0 ? taskId : taskId.slice(0, at);
}

/**
 * Geometric mean over series of mean-MASE ratios, model vs reference, over the windows both
 * scored finitely. Series where either mean is 0 or not finite are left out (a ratio of 0/0
 * says nothing about which forecaster is better).
 */
export function geometricMeanMaseRatio(
  taskIds: readonly string[],
  model: readonly TaskScore[],
  reference: readonly TaskScore[],
): number {
  const perSeries = new Map<string, { m: number; r: number; n: number }>();
  taskIds.forEach((id, i) => {
    const a = model[i].mase;
    const b = reference[i].mase;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return;
    const key = seriesOf(id);
    const acc = perSeries.get(key) ?? { m: 0, r: 0, n: 0 };
    acc.m += a;
    acc.r += b;
    acc.n += 1;
    perSeries.set(key, acc);
  });
  let logSum = 0;
  let count = 0;
  for (const { m, r } of perSeries.values()) {
    if (!(m > 0) || !(r > 0)) continue;
    logSum += Math.log(m / r);
    count++;
  }
  return count === 0 ? NaN : Math.exp(logSum / count);
}

/** Mean of the finite values; also counts the others. */
function finiteMean(values: readonly number[]): { mean: number; dropped: number } {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return { mean: n === 0 ? NaN : sum / n, dropped: values.length - n };
}

export function summarise(
  model: string,
  scores: readonly TaskScore[],
  seconds: number,
  failed: number,
  naive2?: { smape: number; mase: number },
  geoRatios?: { snaive: number; naive: number },
): ModelSummary {
  const pick = (key: keyof TaskScore): { mean: number; dropped: number } => finiteMean(scores.map((s) => s[key]));
  const s = pick('smape');
  const m = pick('mase');
  const c = pick('crps');
  const p = pick('pinball90');
  const cov = pick('coverage80');
  return {
    model,
    windows: scores.length,
    failed,
    smape: s.mean,
    mase: m.mean,
    ...(naive2 ? { owa: owa(s.mean, m.mean, naive2.smape, naive2.mase) } : {}),
    crps: c.mean,
    pinball90: p.mean,
    coverage80: cov.mean,
    seconds,
    nonFinite: Math.max(s.dropped, m.dropped, c.dropped, p.dropped, cov.dropped),
    ...(geoRatios ? { geoRatioSnaive: geoRatios.snaive, geoRatioNaive: geoRatios.naive } : {}),
  };
}

const fmt = (v: number | undefined, digits: number): string =>
  v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);

/** The markdown table the CLI prints and the model card quotes. */
export function formatTable(rows: readonly ModelSummary[], withOwa: boolean): string {
  const header = [
    'model',
    'sMAPE',
    'MASE',
    ...(withOwa ? ['OWA'] : []),
    'MASE geo-ratio vs snaive',
    'vs naive',
    'CRPS (scaled)',
    'pinball@0.9 (scaled)',
    '80% coverage',
    'seconds',
    'failed',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) {
    const cells = [
      // A row with failed windows is partly seasonal naive (run.ts): marked so it cannot pass unseen.
      r.failed > 0 ? `${r.model} ⚠` : r.model,
      fmt(r.smape, 3),
      fmt(r.mase, 3),
      ...(withOwa ? [fmt(r.owa, 3)] : []),
      fmt(r.geoRatioSnaive, 3),
      fmt(r.geoRatioNaive, 3),
      fmt(r.crps, 3),
      fmt(r.pinball90, 3),
      fmt(r.coverage80, 3),
      fmt(r.seconds, 1),
      `${r.failed}/${r.windows}`,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
