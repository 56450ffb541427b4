/**
 * FROZEN — the contract between the frozen evaluator and the one editable file: the forecaster's
 * config space, the experiment's parameters, and the `Experiment` interface experiment.ts must
 * satisfy. Pure TypeScript with no imports (the config type mirrors @tsfm/tsfm-client's
 * ForecastConfig structurally), so checking experiment.ts against it before every launch takes
 * under a second; evaluate.ts calls experiment.ts only through this interface.
 *
 * Written out in each template on purpose: a template is copied whole into a workdir and frozen
 * there, so the config space and params the two contracts share are not shared code.
 */

export const CONTEXT_LENGTHS = [64, 128, 256, 512] as const;
export const RESOLUTIONS = [1, 5, 15, 60] as const;
export const NORMALISATIONS = ['none', 'mean-std', 'last-value', 'log1p'] as const;
export const SELECTION_RULES = ['per-tenant', 'per-metric'] as const;
/** Where the validation windows sit (the harness's `validationPlacement`, restated). */
export const VALIDATION_PLACEMENTS = ['tail', 'tail+same-time'] as const;

export type Resolution = (typeof RESOLUTIONS)[number];
export type Normalisation = (typeof NORMALISATIONS)[number];
export type SelectionRule = (typeof SELECTION_RULES)[number];
export type ValidationPlacement = (typeof VALIDATION_PLACEMENTS)[number];

/** One configuration of the frozen ONNX forecaster (@tsfm/tsfm-client's ForecastConfig). */
export interface Config {
  /** Model input steps, at the config's resolution. */
  readonly contextLength: number;
  /** Minutes aggregated per step before forecasting; mapped back to 1-minute steps after. */
  readonly resolutionMinutes: Resolution;
  readonly normalisation: Normalisation;
  /** Average f(x) and −f(−x). */
  readonly flip: boolean;
  readonly clampNonNegative: boolean;
  readonly fixCrossing: boolean;
}

/** The knobs of template.json's paramSpace, complete (the runner fills defaults). */
export interface Params {
  /** Configs the harness tries per request (before its latency budget lowers it). */
  readonly k: number;
  /** Held-out windows of one horizon each at the end of the history, scored per config. */
  readonly validationWindows: number;
  /** `tail`: only those; `tail+same-time`: also the same time of day 1 and 7 days earlier. */
  readonly validationPlacement: ValidationPlacement;
  /** `off`, or `W,S`: score every model input on W windows first, give only the best S the rest. */
  readonly racing: string;
  /** Comma-separated subset of CONTEXT_LENGTHS the search may sample from. */
  readonly contextLengths: string;
  /** Comma-separated subset of RESOLUTIONS. */
  readonly resolutions: string;
  /** Comma-separated subset of NORMALISATIONS. */
  readonly normalisations: string;
  /** Whether flip-averaged configs are searchable. */
  readonly flip: boolean;
  readonly selectionRule: SelectionRule;
  /** Forecast with the quantile-wise median of the top m candidates (1 = the winner alone). */
  readonly combineTop: number;
}

/** The harness's per-request options (see @tsfm/harness RequestOptions). */
export interface SearchOptions {
  readonly k: number;
  readonly validationWindows: number;
  readonly validationPlacement: ValidationPlacement;
  /** Racing (successive halving of the sampled model inputs over the windows), or null: off. */
  readonly racing: { readonly windows: number; readonly survivors: number } | null;
  readonly selection: SelectionRule;
  /** Sampled configs per distinct model input (1–4): post-processing variants share model rows. */
  readonly configsPerModelRow: number;
  /** The top-m combination (m = 1: the winner alone). */
  readonly combine: { readonly top: number; readonly method: 'median' | 'mean' };
}

export interface Experiment {
  /**
   * The configs the harness may sample from, out of every config the model serves (`all`). The
   * harness always adds the fleet default, and ties go to it.
   */
  grid(params: Params, all: readonly Config[]): Config[];
  /** How each request searches. The latency budget and the metric are not the experiment's. */
  searchOptions(params: Params): SearchOptions;
}

/** Parses a comma-separated subset knob; throws on a value outside `allowed`. */
export function parseSubset<T extends string | number>(text: string, allowed: readonly T[], knob: string): T[] {
  const out: T[] = [];
  for (const word of text.split(',')) {
    const match = allowed.find((value) => String(value) === word.trim());
    if (match === undefined) throw new Error(`${knob}: ${JSON.stringify(word)} is not one of ${allowed.join(', ')}`);
    if (!out.includes(match)) out.push(match);
  }
  return out;
}

/**
 * Parses the racing knob: `off` (null) or `W,S` with first-round windows W and survivors S, each
 * an integer in 1..64 (the harness's ranges). Throws naming the knob otherwise.
 */
export function parseRacing(text: string): { windows: number; survivors: number } | null {
  if (text === 'off') return null;
  const match = /^(\d+),(\d+)$/.exec(text);
  const windows = Number(match?.[1]);
  const survivors = Number(match?.[2]);
  if (!match || windows < 1 || windows > 64 || survivors < 1 || survivors > 64)
    throw new Error(`racing: ${JSON.stringify(text)} is not off or W,S (first-round windows, survivors; 1..64 each)`);
  return { windows, survivors };
}
