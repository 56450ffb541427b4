/**
 * Picking the winner from the scores: the lowest loss wins; a loss within 1e-12 (relative) of
 * the best counts as a tie, and a tie involving the fleet default goes to the default — a search
 * must beat the default to replace it, not merely match it in the last bits. Other ties go to
 * the config sampled first (deterministic for a seed).
 */
import { ScoreStatus, type Scores } from './scoring.js';

export const TIE_RELATIVE_TOLERANCE = 1e-12;

export function isTie(a: number, b: number): boolean {
  return Math.abs(a - b) <= TIE_RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

export interface Pick {
  /** Position in the sample (0 = the default), −1 when no config is eligible. */
  readonly position: number;
  /** The default won because it tied with the best. */
  readonly tieToDefault: boolean;
}

/** `score(c)` for c in [0, count): NaN = not eligible. The default is position 0. */
export function pickLowest(score: (c: number) => number, count: number): Pick {
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let c = 0; c < count; c++) {
    const s = score(c);
    if (s < bestScore) {
      best = c;
      bestScore = s;
    }
  }
  if (best <= 0) return { position: best, tieToDefault: false };
  const d = score(0);
  if (d === d && isTie(d, bestScore)) return { position: 0, tieToDefault: true };
  return { position: best, tieToDefault: false };
}

/**
 * A config's tenant-level score: the mean of its per-metric scaled losses over the metrics with
 * evidence. Because each metric's loss is divided by that metric's own scale, net bytes and CPU
 * fractions weigh the same. NaN (ineligible) unless the config scored on every such metric.
 */
export function tenantScore(scores: Scores, c: number, metricCount: number): number {
  let sum = 0;
  let used = 0;
  for (let m = 0; m < metricCount; m++) {
    if (scores.windowsPerMetric[m] === 0) continue;
    const cell = c * metricCount + m;
    if (scores.status[cell] !== ScoreStatus.Scored) return Number.NaN;
    sum += scores.loss[cell];
    used++;
  }
  return used === 0 ? Number.NaN : sum / used;
}

/**
 * Candidate c's loss on metric m over its scorable windows other than `skip` (cross-fitted
 * calibration, calibration.ts); NaN when it is not scored on m or no other window has evidence.
 */
export function metricScoreWithout(scores: Scores, c: number, m: number, metricCount: number, skip: number): number {
  const cell = c * metricCount + m;
  if (scores.status[cell] !== ScoreStatus.Scored) return Number.NaN;
  const O = scores.windowLoss.length / scores.loss.length;
  let sum = 0;
  let n = 0;
  for (let o = 1; o < O; o++) {
    if (o === skip) continue;
    const l = scores.windowLoss[cell * O + o];
    if (l === l) {
      sum += l;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

/**
 * tenantScore without window `skip`: the mean over the metrics that keep evidence. Its loop repeats
 * tenantScore's on purpose, so the plain score, which every request runs, carries no skip test.
 */
export function tenantScoreWithout(scores: Scores, c: number, metricCount: number, skip: number): number {
  const O = scores.windowLoss.length / scores.loss.length;
  let sum = 0;
  let used = 0;
  for (let m = 0; m < metricCount; m++) {
    if (scores.windowsPerMetric[m] === 0) continue;
    const cell = c * metricCount + m;
    if (scores.status[cell] !== ScoreStatus.Scored) return Number.NaN;
    let evidence = false;
    for (let o = 1; o < O && !evidence; o++)
      if (o !== skip && scores.windowLoss[cell * O + o] === scores.windowLoss[cell * O + o]) evidence = true;
    if (!evidence) continue;
    sum += metricScoreWithout(scores, c, m, metricCount, skip);
    used++;
  }
  return used === 0 ? Number.NaN : sum / used;
}
