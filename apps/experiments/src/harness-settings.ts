/**
 * The harness settings the experiments run (M6, M7, M8, M9, NAB, select-harness): what a
 * setting means, the shipped default and v1, and how far back a setting's validation reaches.
 * Its own module so the experiments share it without importing one another.
 */
import {
  RequestOptionsSchema,
  type CalibrationMethod,
  type CombineMethod,
  type RacingOptions,
  type StatisticalMember,
  type ValidationPlacement,
} from '@tsfm/harness';

export interface HarnessSettings {
  readonly k: number;
  readonly budgetMs: number;
  /** At most (a history gets as many as it holds). */
  readonly validationWindows: number;
  readonly configsPerModelRow: number;
  /** Statistical members (absent: the harness default, all of them). */
  readonly members?: readonly StatisticalMember[];
  /** Top-m combination (absent: the harness default). */
  readonly combine?: { readonly top: number; readonly method: CombineMethod };
  /** Calibration (absent: the harness default, 'conformal'). */
  readonly calibration?: CalibrationMethod;
  /** Search the other model versions too (the model dimension; RuntimeSpec.extraModels). */
  readonly models?: boolean;
  /** Where the validation windows sit (absent: the harness default, 'tail+same-time'). */
  readonly validationPlacement?: ValidationPlacement;
  /** Days back of the same-time windows (absent: the harness default, 1 and 7). */
  readonly sameTimeDays?: readonly number[];
  /** Racing (absent: the harness default, off). */
  readonly racing?: RacingOptions;
  /** The shift guard (absent: the harness default, on). */
  readonly shiftGuard?: boolean;
}

/** The harness's own request defaults (request.ts): what an absent setting means. */
const HARNESS_DEFAULTS = RequestOptionsSchema.parse({});

/**
 * Steps between the forecast's origin and the earliest validation origin a setting can ask for
 * (validation-origins.ts): the request's history must reach the model's context before it.
 */
export function validationLookback(h: HarnessSettings, horizon: number, stepsPerDay: number): number {
  const placement = h.validationPlacement ?? HARNESS_DEFAULTS.validationPlacement;
  const tail = placement === 'same-time' ? 0 : h.validationWindows * horizon;
  const days = placement === 'tail' ? 0 : Math.max(...(h.sameTimeDays ?? HARNESS_DEFAULTS.sameTimeDays)) * stepsPerDay;
  return Math.max(tail, days);
}

/** The harness as it ships (v2): the request defaults, plus the other model versions. */
export const DEFAULT_HARNESS: HarnessSettings = Object.freeze({
  k: 32,
  budgetMs: 200,
  validationWindows: 8,
  configsPerModelRow: 2,
  models: true,
});

/**
 * The harness before the model dimension and calibration (v1): one model, one validation window,
 * no statistical members, no calibration — the "today" the v2 targets are measured against.
 */
export const HARNESS_V1: HarnessSettings = Object.freeze({
  k: 32,
  budgetMs: 200,
  validationWindows: 1,
  configsPerModelRow: 2,
  members: [],
  calibration: 'none',
  models: false,
  // v1 validated on the tail window; pinned so the harness default's placement does not move it.
  validationPlacement: 'tail',
});

/** What a harness setting searches, in words (for method descriptions). */
export function describeHarness(h: HarnessSettings): string {
  const members =
    h.members === undefined
      ? 'all statistical members'
      : h.members.length === 0
        ? 'no statistical members'
        : `members ${h.members.join(', ')}`;
  const combine =
    h.combine === undefined || h.combine.top <= 1
      ? 'the winner alone'
      : `${h.combine.method} of the top ${h.combine.top}`;
  const placement = h.validationPlacement ?? HARNESS_DEFAULTS.validationPlacement;
  const days = (h.sameTimeDays ?? HARNESS_DEFAULTS.sameTimeDays).join(', ');
  const windows =
    placement === 'tail'
      ? `up to ${h.validationWindows} validation window(s)`
      : placement === 'same-time'
        ? `validation windows at the same time of day ${days} day(s) earlier`
        : `up to ${h.validationWindows} tail validation window(s) and the same time of day ${days} day(s) earlier`;
  const racing =
    h.racing === undefined
      ? ''
      : `, racing: every model input on ${h.racing.windows} window(s) first, the default's and the best ${h.racing.survivors} on the rest`;
  const guard = h.shiftGuard === false ? ', no shift guard' : '';
  return `K = ${h.k}, budget ${h.budgetMs} ms (measured), ${windows}, ${members}, ${h.models === true ? 'every model version' : 'one model'}, ${combine}, calibration ${h.calibration ?? 'conformal'}${racing}${guard}`;
}

/** Harness requests of one tenant in flight at once in M6/M9/NAB: their model rows share calls (MicroBatcher). */
export const HARNESS_CONCURRENCY = 8;
