/**
 * The evaluation protocol shared by every fleet experiment, with its defaults in one place.
 */
import { forecastOrigins } from './origins.js';

export interface Protocol {
  /** Forecast horizon (steps; minutes on the fleet). */
  readonly horizon: number;
  /** Forecast origins per evaluation tenant. */
  readonly originsPerTenant: number;
  /** Origins per tuning tenant (grid search and archetype winners). */
  readonly tuningOrigins: number;
  /** Origins are spread over this many steps before the last possible one. */
  readonly spanSteps: number;
  /** No origin earlier than this many steps (the scale wants two days of history). */
  readonly minHistory: number;
  /** Steps per day on the grid (1440 for the fleet). */
  readonly stepsPerDay: number;
  readonly seed: number;
}

export const FLEET_PROTOCOL: Protocol = Object.freeze({
  horizon: 60,
  originsPerTenant: 50,
  tuningOrigins: 10,
  spanSteps: 14 * 1440,
  minHistory: 2 * 1440,
  stepsPerDay: 1440,
  seed: 42,
});

export function originsOf(
  protocol: Protocol,
  tenantId: string,
  length: number,
  count = protocol.originsPerTenant,
): Int32Array {
  return forecastOrigins(tenantId, length, {
    count,
    spanSteps: protocol.spanSteps,
    horizon: protocol.horizon,
    minHistory: protocol.minHistory,
    seed: protocol.seed,
  });
}

/**
 * History a harness request gets: everything any config can see — the model's context at the
 * coarsest resolution (512 steps × 60 min ≈ 21.3 days for the default model) before the earliest
 * validation origin, which lies `validationLookback` steps before the forecast's origin (m6.ts
 * validationLookback) — and the 8-day scale window. Longer histories change nothing the harness
 * computes, so the cap only saves copying and profiling (it is a view, never a copy).
 */
export function historyCap(
  contextLength: number,
  coarsestResolution: number,
  validationLookback: number,
  stepsPerDay: number,
): number {
  return Math.max(contextLength * coarsestResolution, 8 * stepsPerDay) + validationLookback;
}
