/**
 * The search path's final forecasts, per metric: the chosen forecast — the winner's, or the
 * combination of the top-m candidates (combine.ts) — checked by the final-forecast guard (falling
 * back along the selection's own ranking, final-guard.ts); its α-quantile path and the peak of
 * that path over the decision horizon; and, under calibration, both shifted by conformal
 * quantiles of cross-fitted validation residuals (calibration.ts).
 */
import type { CandidateSet } from './candidates.js';
import {
  Calibrator,
  crossFittedResiduals,
  emptyCalibration,
  peakOf,
  SPREAD_FLOOR,
  spreadPath,
  type CrossFitInput,
} from './calibration.js';
import { combineMatrices, topPositions } from './combine.js';
import { chooseFinal, fallbackNote, fallbackOrder, type FinalCandidate } from './final-guard.js';
import { ForecastQuantiles } from './forecast-quantiles.js';
import type { MetricProfile } from './history-profile.js';
import type { ParsedRequest } from './request.js';
import type { CalibrationReport, FinalFallback, MetricWinner, PeakForecast, PlausibleRange } from './result.js';
import { candidateWinner, type Selection } from './select.js';
import type { ValidationData } from './validation-data.js';

export interface FinalInput {
  readonly req: ParsedRequest;
  readonly set: CandidateSet;
  readonly selection: Selection;
  readonly validation: ValidationData;
  readonly profiles: readonly MetricProfile[];
  readonly ranges: readonly PlausibleRange[];
}

export interface FinalForecasts {
  readonly forecast: Record<string, Float32Array>;
  readonly quantiles: Record<string, ForecastQuantiles>;
  readonly peak: Record<string, PeakForecast>;
  readonly fallbacks: FinalFallback[];
  readonly calibration: CalibrationReport;
  /** `selection.winners`, with combinations recorded and the metrics the guard moved replaced. */
  readonly winners: Record<string, MetricWinner>;
  readonly notes: string[];
}

/** How a combination is named in fallbacks and notes. */
const combinationKey = (method: string, keys: readonly string[]): string => `${method}(${keys.join(' + ')})`;

export function finalForecasts(input: FinalInput): FinalForecasts {
  const { req, set, selection, validation, profiles, ranges } = input;
  const { horizon: h, alpha } = req;
  const { top, method } = req.options.combine;
  const d = req.options.peakHorizon ?? h;
  const L = set.levels.length;
  const count = set.info.length;
  const forecast: Record<string, Float32Array> = {};
  const quantiles: Record<string, ForecastQuantiles> = {};
  const peak: Record<string, PeakForecast> = {};
  const fallbacks: FinalFallback[] = [];
  const winners = { ...selection.winners };
  const notes: string[] = [];
  const calibrator = req.options.calibration === 'none' ? null : new Calibrator(req.options.calibration, alpha);
  const crossFit: CrossFitInput = {
    set,
    alpha,
    actual: validation.actual,
    scorable: validation.scorable,
    top,
    combine: method,
    leaveOut: selection.scoreWithout,
    fullScore: selection.selectionScore,
    fullFirst: (m) => selection.winnerPos[m],
    peakHorizon: d,
    scaled: req.options.calibration === 'conformal-scaled',
    scales: validation.scales,
  };
  // The result owns its matrix: a stored view (a statistical member's, a raw batch row) is copied.
  const finalOf = (c: number, m: number): Float32Array | null => {
    const out = new Float32Array(h * L);
    const q = set.matrix(c, m, 0, out);
    return q === null ? null : q === out ? out : q.slice();
  };
  for (let m = 0; m < req.metricNames.length; m++) {
    const metric = req.metricNames[m];
    const score = selection.selectionScore(m);
    const winner = selection.winnerPos[m];
    const choice = topPositions(winner, score, count, top);
    // Every tried candidate's final forecast is in the batch (searchable ⇒ servesFinal) or was
    // computed with the members, so a fallback costs no model call. The default is position 0.
    const order = fallbackOrder(winner, count, score);
    const refusalOf = (c: number): string | null =>
      req.options.shiftGuard ? (set.finalRefusal?.(c, m) ?? null) : null;
    const candidates: FinalCandidate[] = order.map((c) => ({
      key: set.info[c].key,
      matrix: () => finalOf(c, m),
      refusal: () => refusalOf(c),
    }));
    const combinedKeys = choice.map((c) => set.info[c].key);
    if (choice.length > 1) {
      candidates.unshift({
        key: combinationKey(method, combinedKeys),
        // A combination holding a refused member is refused with it (its first refused part's reason).
        refusal: () => choice.map(refusalOf).find((r) => r !== null) ?? null,
        matrix: () => {
          const parts = choice.map((c) => finalOf(c, m));
          if (parts.some((p) => p === null)) return null;
          return combineMatrices(parts as Float32Array[], method, new Float32Array(h * L));
        },
      });
    }
    const offset = choice.length > 1 ? 1 : 0;
    const picked = chooseFinal(metric, candidates, order.indexOf(0) + offset, ranges[m]);
    const combinedUsed = offset === 1 && picked.index === 0;
    const position = combinedUsed ? winner : order[picked.index - offset];
    if (combinedUsed) winners[metric] = { ...winners[metric], combined: { method, keys: combinedKeys } };
    if (picked.fallback !== null) {
      fallbacks.push(picked.fallback);
      notes.push(fallbackNote(picked.fallback));
      if (!combinedUsed && (position !== winner || offset === 1))
        winners[metric] = candidateWinner(set, position, score(position), false, 'final-guard-fallback');
    }
    const final = new ForecastQuantiles(picked.matrix, h, set.levels);
    quantiles[metric] = final;
    let path = final.quantileAt(alpha);
    const raw = peakOf(path, d);
    let value = raw;
    if (calibrator !== null) {
      const spread = crossFit.scaled
        ? spreadPath(set.levels, picked.matrix, h, SPREAD_FLOOR * validation.scales[m], new Float32Array(h))
        : null;
      const shifted = calibrator.apply(
        metric,
        crossFittedResiduals(crossFit, m),
        path,
        raw,
        !profiles[m].hasNegative,
        spread,
        d,
      );
      path = shifted.path;
      value = shifted.peak;
    }
    forecast[metric] = path;
    peak[metric] = { horizon: d, value, raw, shift: value - raw, online: 0 };
  }
  return {
    forecast,
    quantiles,
    peak,
    fallbacks,
    calibration: calibrator?.report() ?? emptyCalibration('none'),
    winners,
    notes,
  };
}
