/**
 * The pipeline's calibration stage: fits the spread factors (./spread.ts) on the validation set
 * v2-val (its M4 and NAB *history* windows, never a window `evaluate` scores; the disjointness is
 * tested in @tsfm/baselines), the two parts weighted equally, and reports the per-level
 * calibration before and after. The factors are then baked into the exported graph.
 *
 * Honest reading: after this stage, v2-val calibration is in-sample for the 12 factors; the
 * out-of-sample check is `evaluate` on the scored windows (model card § Calibration).
 */
import { forecast, loadModel } from '../validation/onnx-forecast.js';
import {
  countBelow,
  DEFAULT_DATA_DIR,
  m4HistoryWindows,
  nabHistoryWindows,
  VALIDATION_SET_NAME,
  type ValidationWindow,
} from '../validation/validation-set.js';
import { applySpread, fitSpread, type SpreadSample } from './spread.js';

export interface PartCalibration {
  part: string;
  windows: number;
  /** Share of actuals below each level's quantile (clamped at 0 on never-negative series, ties half). */
  below: number[];
  /** Share inside the 0.1–0.9 quantiles. */
  coverage80: number;
}

export interface SpreadCalibrationResult {
  set: string;
  method: string;
  factors: number[];
  before: PartCalibration[];
  after: PartCalibration[];
}

interface Scored {
  part: string;
  windows: ValidationWindow[];
  samples: SpreadSample[];
}

export async function calibrateSpreadOnValidation(
  manifestPath: string,
  dataDir: string = DEFAULT_DATA_DIR,
): Promise<SpreadCalibrationResult> {
  const model = await loadModel(manifestPath, 1);
  const levels = model.manifest.quantileLevels;
  const Q = levels.length;
  const parts: Scored[] = [];
  for (const [part, windows] of [
    ['m4-history', await m4HistoryWindows(dataDir)],
    ['nab-history', await nabHistoryWindows(dataDir)],
  ] as const) {
    const fc = await forecast(
      model,
      windows.map((w) => w.history),
    );
    let points = 0;
    for (const w of windows) for (const y of w.actual) if (Number.isFinite(y)) points++;
    const samples = windows.map((w, i) => ({
      quantiles: fc[i].subarray(0, w.actual.length * Q),
      actual: w.actual,
      nonNegative: w.history.every((v) => !(v < 0)),
      // Each part weighs the same in total, whatever its number of points.
      weight: 1 / points,
    }));
    parts.push({ part, windows, samples });
  }
  await model.session.release();
  const factors = fitSpread(
    parts.flatMap((p) => p.samples),
    levels,
  );
  const ones = new Array<number>(Q - 1).fill(1);
  return {
    set: VALIDATION_SET_NAME,
    method:
      'spread calibration: one factor per increment between adjacent levels, fitted level by level outwards from the median on m4-history + nab-history (equal weight per part); median unchanged',
    factors: [...factors].map((d) => Number(d.toPrecision(6))),
    before: parts.map((p) => partCalibration(p, levels, ones)),
    after: parts.map((p) => partCalibration(p, levels, factors)),
  };
}

function partCalibration(p: Scored, levels: readonly number[], factors: ArrayLike<number>): PartCalibration {
  const Q = levels.length;
  const lo = levels.indexOf(0.1);
  const hi = levels.indexOf(0.9);
  const below = new Float64Array(Q);
  let inside = 0;
  let n = 0;
  for (const s of p.samples) {
    const q = applySpread(s.quantiles, Q, factors);
    if (s.nonNegative) for (let i = 0; i < q.length; i++) q[i] = Math.max(0, q[i]);
    n += countBelow(s.actual, q, Q, below);
    for (let t = 0; t < s.actual.length; t++) {
      const y = s.actual[t];
      if (Number.isFinite(y) && y >= q[t * Q + lo] && y <= q[t * Q + hi]) inside++;
    }
  }
  return {
    part: p.part,
    windows: p.windows.length,
    below: [...below].map((b) => Number((b / n).toFixed(4))),
    coverage80: Number((inside / n).toFixed(4)),
  };
}
