/** The harness's answer to one request (design.md §5). */
import type { Tier } from '@tsfm/losses';
import type { ForecastConfig } from '@tsfm/tsfm-client';
import type { CombineMethod } from './combine.js';
import type { ForecastQuantiles } from './forecast-quantiles.js';
import type { CalibrationMethod } from './calibration.js';
import type { ColdStartReason, HarnessPath } from './cold-start.js';
import type { SampleSource } from './config-sampler.js';
import type { MetricScale } from './history-profile.js';
import type { BudgetMode } from './budget.js';
import type { SelectionMode } from './request.js';
import type { ValidationPlacement } from './validation-origins.js';

/** Wall-clock ms per stage; `total` is the whole request. */
export interface StageTimings {
  readonly validateInput: number;
  readonly sample: number;
  readonly buildRows: number;
  readonly model: number;
  /** Fitting and forecasting the statistical members (statistical-members.ts); 0 off the search path. */
  readonly members: number;
  readonly score: number;
  readonly select: number;
  readonly total: number;
}

export interface TriedConfig {
  readonly key: string;
  /** The model config; null for a statistical member. */
  readonly config: ForecastConfig | null;
  /** The ONNX model's name; null for a statistical member. */
  readonly model: string | null;
  /**
   * Why it was tried: the default, another model's default, drawn from the archetype prior,
   * stratified exploration, or a statistical member (always tried when it can run).
   */
  readonly source: SampleSource | 'statistical';
  /** Mean scale-free α-loss over the metrics with evidence; null when not eligible (see skipped). */
  readonly score: number | null;
  /** Per-metric scale-free α-loss; null when that metric has no evidence or the config failed on it. */
  readonly perMetric: Readonly<Record<string, number | null>>;
}

/** A forecast that combines several candidates (request option `combine`, combine.ts). */
export interface Combination {
  readonly method: CombineMethod;
  /** The combined candidates, best validation score first (the first is `MetricWinner.key`). */
  readonly keys: readonly string[];
}

export interface MetricWinner {
  readonly key: string;
  /** The model config; null for a statistical member. */
  readonly config: ForecastConfig | null;
  /** The ONNX model's name; null for a statistical member. */
  readonly model: string | null;
  /**
   * The forecast is the combination of the top-m candidates (this one first), not this one alone;
   * null for a single candidate.
   */
  readonly combined: Combination | null;
  /** The loss that won (per-metric loss, or the tenant mean in per-tenant mode); null on cold start. */
  readonly score: number | null;
  /** The default won a tie (within 1e-12 relative) with the best config. */
  readonly tieToDefault: boolean;
  /**
   * How this config came to be chosen. `final-guard-fallback`: the config chosen first (by search
   * or the cold-start rule) had a final forecast that failed the final-forecast guard, and this
   * one replaced it for this metric (see `HarnessResult.fallbacks`).
   */
  readonly chosenBy:
    | 'search'
    | 'fallback-default'
    | 'cold-start-prior'
    | 'cold-start-default'
    | 'cold-start-flat'
    | 'final-guard-fallback';
}

/** Why the final-forecast guard refused a config's final forecast for one metric (final-guard.ts). */
export type FinalGuardFailure =
  /** A NaN or ±Infinity among its quantiles. */
  | 'non-finite'
  /** Finite, but outside the metric's plausible range (`HarnessResult.finalBounds`). */
  | 'implausible'
  /** The batch holds no final forecast for it (cannot happen for a searchable config; defensive). */
  | 'no-final-forecast'
  /** A statistical member whose own forecast of the last steps the series left (statistical-members.ts, SHIFT_RUN). */
  | 'shifted';

/** The bound every final forecast of a metric is checked against (see final-guard.ts). */
export interface PlausibleRange {
  readonly lo: number;
  readonly hi: number;
}

/**
 * One metric whose first-choice final forecast failed the guard. Counting these is how callers
 * and experiments see how often the guard acted (`result.fallbacks.length`).
 */
export interface FinalFallback {
  readonly metric: string;
  /** The config chosen first (search winner, or the cold-start config). */
  readonly from: string;
  /** The config whose forecast the result carries for this metric (= `winner[metric].key`). */
  readonly to: string;
  /** Why `from` was refused. */
  readonly reason: FinalGuardFailure;
  /** The offending value and the bound, human-readable. */
  readonly detail: string;
  /** Every config refused on the way to `to`, in the order tried (`from` first). */
  readonly refused: readonly { readonly key: string; readonly reason: FinalGuardFailure }[];
  /**
   * false: no candidate passed; `to` is the fleet default, finite but outside the bound, used as
   * the last resort (from = to when the default was the first choice).
   */
  readonly accepted: boolean;
}

/** Something the harness could not use, and why — nothing is dropped silently. */
export interface SkipNote {
  readonly metric: string;
  /** Validation window (1 = the last h minutes), when the note is about one window. */
  readonly window?: number;
  /** Config key, when the note is about one config. */
  readonly config?: string;
  readonly reason: string;
}

export interface BudgetReport {
  /** `enforce`: K was lowered to fit the budget when predicted to overrun; `measure`: K fixed, budget only measured. */
  readonly mode: BudgetMode;
  readonly budgetMs: number;
  /** Budget left for the model call when K was decided: budget − time spent − predicted overhead. */
  readonly availableModelMs: number;
  readonly predictedModelMs: number;
  readonly actualModelMs: number;
  /** Time spent before the decision + predicted model call + predicted post-call overhead. */
  readonly predictedTotalMs: number;
  readonly actualTotalMs: number;
  /** The request took longer than budgetMs. */
  readonly overBudget: boolean;
}

export interface PriorReport {
  /** A prior source is configured. */
  readonly configured: boolean;
  /** It returned a prior for this tenant. */
  readonly available: boolean;
  readonly archetype: string | null;
  readonly keys: number;
  /** Prior keys that are not configs this model serves. */
  readonly unknownKeys: number;
  /** The prior source threw; the request went on without a prior. */
  readonly error: string | null;
}

/** What calibration did to one metric (calibration.ts). */
export interface MetricCalibration {
  /** Added to the α-quantile path (`forecast[metric]`, before the floor at 0 of non-negative series). */
  readonly shift: number;
  /** Residuals (observed validation minutes) behind the shift. */
  readonly residuals: number;
  /** The shift is the largest residual because n < α/(1 − α) (the conformal rank exceeds n). */
  readonly capped: boolean;
  /** Added to the peak of the α-quantile path over the decision horizon (`peak[metric]`). */
  readonly peakShift: number;
  readonly peakResiduals: number;
  readonly peakCapped: boolean;
  /**
   * `cross-fitted`: window o's residuals come from the choice made without window o (honest);
   * `in-sample`: one validation window, so the choice's own residuals (optimistic).
   */
  readonly residualSource: 'cross-fitted' | 'in-sample';
}

/**
 * What `options.calibration` did. With 'none' every record is empty. With 'conformal', per
 * metric: the shifts of the α-quantile path and of the peak, and the residuals behind them; a
 * metric without usable validation forecasts gets no shift and is listed in `unshifted`.
 */
export interface CalibrationReport {
  readonly method: CalibrationMethod;
  readonly metrics: Readonly<Record<string, MetricCalibration>>;
  /** Metrics left unshifted under a calibration method, and why. */
  readonly unshifted: readonly { readonly metric: string; readonly reason: string }[];
}

/** The capacity-relevant number per metric: the peak of the α-quantile forecast over the decision horizon. */
export interface PeakForecast {
  /** Steps after the origin the peak is taken over (`options.peakHorizon`, default the horizon). */
  readonly horizon: number;
  /** The calibrated peak: `raw` + `shift` (+ the tenant's online offset), floored at 0 for non-negative series. */
  readonly value: number;
  /** max of the uncalibrated α-quantile path over `horizon` steps. */
  readonly raw: number;
  /** What this request's calibration added to `raw` (value − raw − online; 0 without calibration). */
  readonly shift: number;
  /** The tenant's online adaptive offset (online-calibration.ts); 0 without an online store. */
  readonly online: number;
}

export interface HarnessResult {
  readonly tenantId: string;
  readonly path: HarnessPath;
  /** Why the request did not search (null on the search path). */
  readonly coldStartReason: ColdStartReason | null;
  readonly alpha: number;
  readonly tier: Tier | null;
  readonly horizon: number;
  readonly selection: SelectionMode;
  readonly metrics: readonly string[];
  /** The model's quantile levels (columns of every quantile matrix). */
  readonly levels: readonly number[];
  /**
   * The α-quantile forecast per metric, length h (1-minute steps after the last point); under
   * calibration shifted by `calibration.metrics[metric].shift`.
   */
  readonly forecast: Readonly<Record<string, Float32Array>>;
  /**
   * Every quantile per metric: the chosen candidate's (or combination's) [h × levels] matrix
   * (`.quantiles`, `.levels`) — never shifted by calibration (see calibration.ts for why).
   */
  readonly quantiles: Readonly<Record<string, ForecastQuantiles>>;
  /** Per metric: the peak over the decision horizon, calibrated as such (what capacity is set from). */
  readonly peak: Readonly<Record<string, PeakForecast>>;
  /** What `options.calibration` did. */
  readonly calibration: CalibrationReport;
  /**
   * The config used for each metric (the same one for all metrics in per-tenant mode, unless the
   * final-forecast guard replaced it for a metric: see `fallbacks`).
   */
  readonly winner: Readonly<Record<string, MetricWinner>>;
  /**
   * Metrics whose first-choice final forecast failed the final-forecast guard (non-finite, or
   * outside `finalBounds`), what replaced it, and why; empty on a normal request.
   */
  readonly fallbacks: readonly FinalFallback[];
  /** Per metric, the plausible range the final forecast was checked against (final-guard.ts). */
  readonly finalBounds: Readonly<Record<string, PlausibleRange>>;
  /**
   * The tenant-level winner (lowest mean scaled loss), reported in both modes — the selection's
   * choice, also when the final-forecast guard replaced it for some metric; null off search.
   */
  readonly tenantWinner: string | null;
  /** The fleet default config for this request (see effectiveDefault). */
  readonly defaultKey: string;
  /**
   * Every candidate that was scored: the sampled configs in sample order (default first), then the
   * statistical members.
   */
  readonly tried: readonly TriedConfig[];
  /** Statistical members asked for that could not run on this request (too little history), and why. */
  readonly membersSkipped: readonly { readonly key: string; readonly reason: string }[];
  /** Sampled configs dropped by the latency budget, in sample order. */
  readonly budgetCut: readonly string[];
  readonly skipped: readonly SkipNote[];
  /**
   * Validation windows this request used (up to options.validationWindows, as many as its history
   * holds; 0 off search).
   */
  readonly validationWindows: number;
  /**
   * Where those windows sat (options.validationPlacement; 'tail' when same-time windows did not
   * fit and the request fell back — `notes` says why) and the same-time days used; null off search.
   */
  readonly validationPlacement: {
    readonly placement: ValidationPlacement;
    readonly sameTimeDays: readonly number[];
  } | null;
  /** The loss scale per metric (seasonal period and value); empty off the search path. */
  readonly scales: Readonly<Record<string, MetricScale>>;
  readonly kRequested: number;
  readonly kUsed: number;
  /** K was lowered to fit the latency budget. */
  readonly kLowered: boolean;
  readonly budget: BudgetReport;
  /** Rows onnxruntime ran (flip rows count twice). */
  readonly modelRows: number;
  /** Rows passed to forecastBatch after dedupe. */
  readonly requestRows: number;
  /** Rows a batch without dedupe would have sent for the same configs. */
  readonly naiveRequestRows: number;
  /** What racing (options.racing, racing.ts) did on this request; null when it was off or off search. */
  readonly racing: RacingReport | null;
  /**
   * forecastBatch calls made: 1; 0 on the flat path; one more when a cold-start-prior forecast fell
   * back to the default; one per round when the horizon is rolled out (rollout.ts).
   */
  readonly forecasterCalls: number;
  readonly timings: StageTimings;
  readonly prior: PriorReport;
  /** Human-readable remarks (fallbacks taken, adjustments made). */
  readonly notes: readonly string[];
}

/** Racing's two rounds (racing.ts): how many model inputs went on, and the rows each round ran. */
export interface RacingReport {
  /** Validation windows of the first round. */
  readonly firstRoundWindows: number;
  /** Distinct model inputs (families) sampled. */
  readonly families: number;
  /** Families scored on every window (the default's included). */
  readonly survivingFamilies: number;
  /** Sampled configs dropped after the first round (not in `tried`). */
  readonly configsDropped: number;
  readonly firstRoundModelRows: number;
  readonly secondRoundModelRows: number;
}
