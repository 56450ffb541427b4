/**
 * The select stage's choice: from the scores, the winner per metric (one config for every metric
 * in per-tenant mode; ties → the default, selection.ts), what could not be scored and why
 * (SkipNote), and the report of every tried config. The final forecasts are final-forecast.ts's.
 */
import type { ConfigSpace } from './config-space.js';
import type { RequestOptions } from './request.js';
import type { MetricWinner, SkipNote, TriedConfig } from './result.js';
import type { SampleSource } from './config-sampler.js';
import { ScoreStatus, type Scores } from './scoring.js';
import { pickLowest, tenantScore, type Pick } from './selection.js';

export interface SelectInput {
  readonly space: ConfigSpace;
  /** Config indexes of the tried configs, in sample order (the default at position 0). */
  readonly used: readonly number[];
  readonly scores: Scores;
  readonly metricNames: readonly string[];
  readonly selection: RequestOptions['selection'];
}

export interface Selection {
  /** Tenant-level score per tried position (NaN: not eligible). */
  readonly tenantScores: Float64Array;
  readonly tenantPick: Pick;
  /** The score the selection ranks positions by for metric m (NaN = not eligible). */
  readonly selectionScore: (m: number) => (position: number) => number;
  /** Winning position per metric. */
  readonly winnerPos: Int32Array;
  readonly winners: Record<string, MetricWinner>;
  readonly notes: string[];
  readonly skipped: SkipNote[];
}

export function selectWinners(input: SelectInput): Selection {
  const { space, used, scores, metricNames, selection } = input;
  const M = metricNames.length;
  const k = used.length;
  const perMetric = selection === 'per-metric';
  const notes: string[] = [];
  const skipped: SkipNote[] = [];
  const tenantScores = new Float64Array(k);
  for (let c = 0; c < k; c++) tenantScores[c] = tenantScore(scores, c, M);
  const tenantPick = pickLowest((c) => tenantScores[c]!, k);
  const selectionScore = (m: number): ((c: number) => number) =>
    perMetric
      ? (c) => (scores.status[c * M + m] === ScoreStatus.Scored ? scores.loss[c * M + m]! : Number.NaN)
      : (c) => tenantScores[c]!;

  const winnerPos = new Int32Array(M);
  const winners: Record<string, MetricWinner> = {};
  for (let m = 0; m < M; m++) {
    const metric = metricNames[m]!;
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
    const s = score(position);
    winners[metric] = {
      key: space.keys[used[position]!]!,
      config: space.configs[used[position]!]!,
      score: s === s ? s : null,
      tieToDefault: pick.tieToDefault,
      chosenBy: fallback ? 'fallback-default' : 'search',
    };
  }
  skipped.push(...unscoredNotes(space, used, scores, metricNames));
  return { tenantScores, tenantPick, selectionScore, winnerPos, winners, notes, skipped };
}

/** One note per (config, metric) that could not be scored, with the reason. */
function unscoredNotes(
  space: ConfigSpace,
  used: readonly number[],
  scores: Scores,
  metricNames: readonly string[],
): SkipNote[] {
  const M = metricNames.length;
  const out: SkipNote[] = [];
  for (let c = 0; c < used.length; c++) {
    for (let m = 0; m < M; m++) {
      const status = scores.status[c * M + m];
      if (status === ScoreStatus.Incomplete) {
        out.push({
          metric: metricNames[m]!,
          config: space.keys[used[c]!]!,
          reason: 'a validation row had no observation inside its context window; not scored on this metric',
        });
      } else if (status === ScoreStatus.NonFinite) {
        out.push({
          metric: metricNames[m]!,
          config: space.keys[used[c]!]!,
          reason: 'non-finite validation loss (the model returned NaN or infinite quantiles); not eligible',
        });
      }
    }
  }
  return out;
}

/** Every tried config with its scores, in sample order. */
export function triedConfigs(
  space: ConfigSpace,
  used: readonly number[],
  sources: readonly SampleSource[],
  scores: Scores,
  tenantScores: Float64Array,
  metricNames: readonly string[],
): TriedConfig[] {
  const M = metricNames.length;
  return used.map((index, c) => {
    const perMetric: Record<string, number | null> = {};
    for (let m = 0; m < M; m++) {
      const v = scores.loss[c * M + m]!;
      perMetric[metricNames[m]!] = v === v ? v : null;
    }
    const t = tenantScores[c]!;
    return {
      key: space.keys[index]!,
      config: space.configs[index]!,
      source: sources[c]!,
      score: t === t ? t : null,
      perMetric,
    };
  });
}
