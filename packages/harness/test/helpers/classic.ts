/**
 * Request options that pin the search mechanics a test is about, without the harness's later
 * layers: one validation window at the tail of the history (not the default's extra same-time
 * windows a day and a week back), no statistical members, no calibration — so a forecast is the
 * chosen model config's own α-quantile, and rows, calls and winners are those of the configs
 * alone. Tests of the members, combination, calibration and placement use the defaults instead.
 */
import type { HarnessRequest } from '../../src/index.js';

export const CLASSIC = Object.freeze({
  validationWindows: 1,
  validationPlacement: 'tail',
  members: [],
  calibration: 'none',
}) satisfies NonNullable<HarnessRequest['options']>;

/** `over` with its options laid over CLASSIC. */
export function classic<T extends Partial<HarnessRequest>>(
  over: T,
): T & { options: NonNullable<HarnessRequest['options']> } {
  return { ...over, options: { ...CLASSIC, ...over.options } };
}

/** A 60-minute request at α 0.9 with K 16 on `history`, `over` laid on top with CLASSIC options. */
export function classicRequest(history: HarnessRequest['history'], over: Partial<HarnessRequest> = {}): HarnessRequest {
  return { history, horizon: 60, alpha: 0.9, k: 16, ...classic(over) };
}
