/**
 * FROZEN — the contract between the frozen evaluator and the one editable file: the config space
 * of the forecaster, the experiment's parameters, what a request shows, and the `Experiment`
 * interface that experiment.ts must satisfy. Pure TypeScript with no imports, so checking
 * experiment.ts against it (`tsc --noEmit -p tsconfig.json`, before every launch) takes under a
 * second; evaluate.ts calls experiment.ts only through this interface.
 *
 * Written out in each template on purpose: a template is copied whole into a workdir and frozen
 * there, so the config space and params the two contracts share are not shared code.
 */

/** Metric series of a tenant, in the order of every per-metric array. */
export const METRICS = ['cpu', 'mem', 'net', 'disk'] as const;
/** Validation origins need at least this much history behind them. */
export const MIN_CONTEXT_MINUTES = 120;

// ---------------------------------------------------------------------------------------------
// The config space of the frozen forecaster (the knobs the harness searches).

export const CONTEXT_LENGTHS = [64, 128, 256, 512] as const;
export const RESOLUTIONS = [1, 5, 15, 60] as const;
export const NORMALISATIONS = ['none', 'mean-std', 'last-value', 'log1p'] as const;
export const SELECTION_RULES = ['per-tenant', 'per-metric'] as const;

export type ContextLength = (typeof CONTEXT_LENGTHS)[number];
export type Resolution = (typeof RESOLUTIONS)[number];
export type Normalisation = (typeof NORMALISATIONS)[number];
export type SelectionRule = (typeof SELECTION_RULES)[number];

export interface ForecastConfig {
  /** Steps of context at the chosen resolution. */
  readonly contextLength: ContextLength;
  /** Minutes aggregated per step before forecasting; the forecast is repeated back to minutes. */
  readonly resolutionMinutes: Resolution;
  readonly normalisation: Normalisation;
  /** Average f(x) and −f(−x). */
  readonly flip: boolean;
}

/** The fleet default: what K = 1 tries, and what ties go to. */
export const DEFAULT_CONFIG: ForecastConfig = Object.freeze({
  contextLength: 128,
  resolutionMinutes: 1,
  normalisation: 'none',
  flip: false,
});

export function configKey(config: ForecastConfig): string {
  return `ctx${config.contextLength}-r${config.resolutionMinutes}-${config.normalisation}-flip${config.flip ? 1 : 0}`;
}

/** Every config of the space (128), in a fixed order. */
export function allConfigs(): ForecastConfig[] {
  const out: ForecastConfig[] = [];
  for (const contextLength of CONTEXT_LENGTHS) {
    for (const resolutionMinutes of RESOLUTIONS) {
      for (const normalisation of NORMALISATIONS) {
        for (const flip of [false, true]) out.push({ contextLength, resolutionMinutes, normalisation, flip });
      }
    }
  }
  return out;
}

export function isConfig(value: unknown): value is ForecastConfig {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    (CONTEXT_LENGTHS as readonly unknown[]).includes(c['contextLength']) &&
    (RESOLUTIONS as readonly unknown[]).includes(c['resolutionMinutes']) &&
    (NORMALISATIONS as readonly unknown[]).includes(c['normalisation']) &&
    typeof c['flip'] === 'boolean'
  );
}

// ---------------------------------------------------------------------------------------------
// The experiment's parameters (params.json) and the contract experiment.ts must satisfy.

/** The knobs of template.json's paramSpace, complete (the runner fills defaults). */
export interface Params {
  readonly k: number;
  readonly validationWindows: number;
  /** Comma-separated subset of CONTEXT_LENGTHS the search may sample from. */
  readonly contextLengths: string;
  /** Comma-separated subset of RESOLUTIONS. */
  readonly resolutions: string;
  /** Comma-separated subset of NORMALISATIONS. */
  readonly normalisations: string;
  /** Whether flip-averaged configs are in the searchable space. */
  readonly flip: boolean;
  readonly selectionRule: SelectionRule;
}

/** What a request lets the experiment see: never the values after the forecast origin. */
export interface RequestView {
  readonly tenantId: string;
  /** Request number, stable across runs. */
  readonly index: number;
  /** Minutes of history (the forecast origin). */
  readonly historyLength: number;
  readonly horizon: number;
  readonly alpha: number;
}

export interface Experiment {
  /** The configs to try for this request (1..k of them); the first is the one ties go to. */
  candidates(params: Params, request: RequestView, rng: Rng): ForecastConfig[];
  /** History lengths at which each candidate is scored on the following `horizon` minutes. */
  validationOrigins(params: Params, request: RequestView): number[];
  /**
   * The winning candidate per metric (indices into candidates, in METRICS order), from
   * `losses[candidate][metric]`: the scale-free α-loss averaged over the validation origins.
   */
  select(params: Params, losses: readonly (readonly number[])[], request: RequestView): number[];
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

// ---------------------------------------------------------------------------------------------
// Deterministic randomness (no Math.random: the same params give the same metric).
// A deliberate self-contained copy of @tsfm/numerics' Mulberry32 (issue 14 §3): this template is
// the frozen code every experiment anchored from it runs, so its draws must not move when shared
// code changes; apps/runner/test/template-copies.test.ts keeps the two the same.

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
