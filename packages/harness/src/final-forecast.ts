/**
 * The search path's final forecasts: per metric, the winner's final forecast from the batch,
 * checked by the final-forecast guard (falling back along the selection's own ranking,
 * final-guard.ts), its α-quantile, and — when asked — that α-quantile calibrated on the used
 * config's validation residuals (calibration.ts).
 */
import { QuantileForecast } from '@tsfm/tsfm-client';
import { Calibrator, validationResiduals, type ValidationForecasts } from './calibration.js';
import type { ConfigSpace } from './config-space.js';
import { chooseFinal, fallbackNote, fallbackOrder, type FinalCandidate } from './final-guard.js';
import type { MetricProfile } from './history-profile.js';
import type { ParsedRequest } from './request.js';
import type { CalibrationReport, FinalFallback, MetricWinner, PlausibleRange } from './result.js';
import { postProcess } from './scoring.js';
import type { Selection } from './select.js';
import { emptyCalibration } from './calibration.js';

export interface FinalInput {
  readonly req: ParsedRequest;
  readonly space: ConfigSpace;
  /** Config indexes of the tried configs, in sample order. */
  readonly used: readonly number[];
  readonly selection: Selection;
  readonly batch: ValidationForecasts;
  readonly profiles: readonly MetricProfile[];
  readonly ranges: readonly PlausibleRange[];
}

export interface FinalForecasts {
  readonly forecast: Record<string, Float32Array>;
  readonly quantiles: Record<string, QuantileForecast>;
  readonly fallbacks: FinalFallback[];
  readonly calibration: CalibrationReport;
  /** `selection.winners`, with the metrics the guard moved to another config replaced. */
  readonly winners: Record<string, MetricWinner>;
  readonly notes: string[];
}

export function finalForecasts(input: FinalInput): FinalForecasts {
  const { req, space, used, selection, batch, profiles, ranges } = input;
  const { horizon: h, alpha } = req;
  const { plan, rowIndex, forecasts, levels } = batch;
  const M = req.metricNames.length;
  const O = batch.originCount;
  const L = levels.length;
  const configs = used.map((i) => space.configs[i]!);
  const forecast: Record<string, Float32Array> = {};
  const quantiles: Record<string, QuantileForecast> = {};
  const fallbacks: FinalFallback[] = [];
  const winners = { ...selection.winners };
  const notes: string[] = [];
  const calibrator = req.options.calibration === 'none' ? null : new Calibrator(req.options.calibration, alpha);
  for (let m = 0; m < M; m++) {
    const metric = req.metricNames[m]!;
    const score = selection.selectionScore(m);
    // Every tried config's final forecast is in the batch (searchable ⇒ servesFinal), so a
    // fallback costs no model call. The default is position 0 of the sample.
    const order = fallbackOrder(selection.winnerPos[m]!, used.length, score);
    const candidates: FinalCandidate[] = order.map((c) => ({
      key: space.keys[used[c]!]!,
      matrix: () => {
        const row = rowIndex[plan.slotOf[c * O]! * M + m]!;
        if (!(row >= 0)) return null;
        // The row was run without post-processing (shared by the family); apply the config's own.
        return postProcess(forecasts[row]!.quantiles, configs[c]!, h, L, new Float32Array(h * L));
      },
    }));
    const choice = chooseFinal(metric, candidates, order.indexOf(0), ranges[m]!);
    const position = order[choice.index]!;
    if (choice.fallback !== null) {
      fallbacks.push(choice.fallback);
      notes.push(fallbackNote(choice.fallback));
      if (position !== selection.winnerPos[m]) {
        const s = score(position);
        winners[metric] = {
          key: space.keys[used[position]!]!,
          config: configs[position]!,
          score: s === s ? s : null,
          tieToDefault: false,
          chosenBy: 'final-guard-fallback',
        };
      }
    }
    const final = new QuantileForecast(choice.matrix, h, levels, configs[position]!);
    quantiles[metric] = final;
    forecast[metric] = final.quantileAt(alpha);
    if (calibrator !== null) {
      // The config actually used (after any guard fallback) is the one whose residuals count:
      // the shift corrects that config's bias, not the first choice's.
      forecast[metric] = calibrator.apply(
        metric,
        space.keys[used[position]!]!,
        validationResiduals(batch, position, configs[position]!, m),
        forecast[metric]!,
        !profiles[m]!.hasNegative,
      );
    }
  }
  return {
    forecast,
    quantiles,
    fallbacks,
    calibration: calibrator?.report() ?? emptyCalibration('none'),
    winners,
    notes,
  };
}
