/**
 * The select stage's choice: from the scores, the winner per metric (one candidate for every
 * metric in per-tenant mode; ties → the default, selection.ts), what could not be scored and why
 * (SkipNote), and the report of every tried candidate. The final forecasts are final-forecast.ts's.
 */
import type { CandidateSet } from './candidates.js';
import type { RequestOptions } from './request.js';
import type { MetricWinner, SkipNote, TriedConfig } from './result.js';
import { ScoreStatus, type Scores } from './scoring.js';
import { metricScoreWithout, pickLowest, tenantScore, tenantScoreWithout, type Pick } from './selection.js';

export interface SelectInput {
  readonly set: CandidateSet;
  readonly scores: Scores;
  readonly metricNames: readonly string[];
  readonly selection: RequestOptions['selection'];
}

export interface Selection {
  /** Tenant-level score per candidate (NaN: not eligible). */
  readonly tenantScores: Float64Array;
  readonly tenantPick: Pick;
  /** The score the selection ranks candidates by for metric m (NaN = not eligible). */
  readonly selectionScore: (m: number) => (position: number) => number;
  /** The same score without validation window o (cross-fitted calibration). */
  readonly scoreWithout: (o: number, m: number) => (position: number) => number;
  /** Winning position per metric. */
  readonly winnerPos: Int32Array;
  readonly winners: Record<string, MetricWinner>;
  readonly notes: string[];
  readonly skipped: SkipNote[];
}

export function selectWinners(input: SelectInput): Selection {
  const { set, scores, metricNames, selection } = input;
  const M = metricNames.length;
  const k = set.info.length;
  const perMetric = selection === 'per-metric';
  const notes: string[] = [];
  const skipped: SkipNote[] = [];
  const tenantScores = new Float64Array(k);
  for (let c = 0; c < k; c++) tenantScores[c] = tenantScore(scores, c, M);
  const tenantPick = pickLowest((c) => tenantScores[c], k);
  const selectionScore = (m: number): ((c: number) => number) =>
    perMetric
      ? (c) => (scores.status[c * M + m] === ScoreStatus.Scored ? scores.loss[c * M + m] : Number.NaN)
      : (c) => tenantScores[c];
  const scoreWithout = (o: number, m: number): ((c: number) => number) =>
    perMetric ? (c) => metricScoreWithout(scores, c, m, M, o) : (c) => tenantScoreWithout(scores, c, M, o);

  const winnerPos = new Int32Array(M);
  const winners: Record<string, MetricWinner> = {};
  for (let m = 0; m < M; m++) {
    const metric = metricNames[m];
    const score = selectionScore(m);
    const pick = perMetric ? pickLowest(score, k) : tenantPick;
    if (scores.windowsPerMetric[m] === 0) {
      skipped.push({
        metric,
        reason: perMetric
          ? 'no validation window with an observed value: no evidence for this metric, the default config is used'
          : 'no validation window with an observed value: the metric does not contribute to the tenant score',
      });
    }
    const fallback = pick.position < 0;
    if (fallback) {
      notes.push(
        perMetric
          ? `metric '${metric}': no config has a finite validation loss; the default config is used`
          : 'no config has a finite validation loss on every metric with evidence; the default config is used',
      );
    }
    const position = fallback ? 0 : pick.position;
    winnerPos[m] = position;
    winners[metric] = candidateWinner(
      set,
      position,
      score(position),
      pick.tieToDefault,
      fallback ? 'fallback-default' : 'search',
    );
  }
  skipped.push(...unscoredNotes(set, scores, metricNames));
  return { tenantScores, tenantPick, selectionScore, scoreWithout, winnerPos, winners, notes, skipped };
}

/** Candidate `position` as a metric's winner, with the loss it won by (NaN: null) and how it was chosen. */
export function candidateWinner(
  set: CandidateSet,
  position: number,
  score: number,
  tieToDefault: boolean,
  chosenBy: MetricWinner['chosenBy'],
): MetricWinner {
  const info = set.info[position];
  return {
    key: info.key,
    config: info.config,
    model: info.model,
    score: score === score ? score : null,
    tieToDefault,
    chosenBy,
    combined: null,
  };
}

/** One note per (candidate, metric) that could not be scored, with the reason. */
function unscoredNotes(set: CandidateSet, scores: Scores, metricNames: readonly string[]): SkipNote[] {
  const M = metricNames.length;
  const out: SkipNote[] = [];
  for (let c = 0; c < set.info.length; c++) {
    for (let m = 0; m < M; m++) {
      const status = scores.status[c * M + m];
      if (status === ScoreStatus.Incomplete) {
        out.push({
          metric: metricNames[m],
          config: set.info[c].key,
          reason: 'a validation row had no observation inside its context window; not scored on this metric',
        });
      } else if (status === ScoreStatus.NonFinite) {
        out.push({
          metric: metricNames[m],
          config: set.info[c].key,
          reason: 'non-finite validation loss (the model returned NaN or infinite quantiles); not eligible',
        });
      }
    }
  }
  return out;
}

/** Every tried candidate with its scores: the sampled configs in sample order, then the statistical members. */
export function triedConfigs(
  set: CandidateSet,
  scores: Scores,
  tenantScores: Float64Array,
  metricNames: readonly string[],
): TriedConfig[] {
  const M = metricNames.length;
  return set.info.map((info, c) => {
    const perMetric: Record<string, number | null> = {};
    for (let m = 0; m < M; m++) {
      const v = scores.loss[c * M + m];
      perMetric[metricNames[m]] = v === v ? v : null;
    }
    const t = tenantScores[c];
    return {
      key: info.key,
      config: info.config,
      model: info.model,
      source: info.source,
      score: t === t ? t : null,
      perMetric,
    };
  });
}
