/**
 * M9 — SLA tiers: does the harness provision more for tiers that pay more for shortfalls, and
 * does the realised under-provisioning rate track 1 − α?
 *
 * Two views:
 *  1. M6's own run (each tenant at its tier's α): per tier, the under-provisioning rate (share of
 *     observed minute×metric cells with actual > forecast) against 1 − α, and the forecast level
 *     relative to the median (mean over points and metrics of mean(q_α)/mean(q_0.5)).
 *  2. A paired run on a subset: the SAME points forecast by the harness at each tier's α
 *     (premium 0.90, standard 0.75, basic 0.65) — the winner is re-selected for each α — so the
 *     level ordering is a within-point comparison, not confounded by which tenants are in which
 *     tier. Reports the share of points with premium > standard > basic.
 *  3. The same paired points forecast again by the harness before v2 (HARNESS_V1: one model, one
 *     validation window, no statistical members, no calibration): under-provisioning, α-loss and
 *     uplift per tier of the shipped harness (view 2: the model dimension and conformal
 *     calibration, `options.calibration: 'conformal'`) next to v1's, so the coverage v2 buys is
 *     read together with what it costs in α-loss. The view-2 methods run first and unchanged, so
 *     view 2's numbers do not depend on this one.
 */
import { evaluationSubset, runOnSubset, type SubsetExperimentOptions } from './fleet-experiment.js';
import { DEFAULT_HARNESS } from './harness-settings.js';
import type { M6Result } from './m6.js';
import {
  calibratedSection,
  pairedTierMethods,
  pairedTierTable,
  pairedTierView,
  TIES_NOTE,
  tierRows,
  tierTable,
  type CalibratedTierView,
  type PairedTierRows,
  type TierRow,
} from './paired-tiers.js';
import type { Protocol } from './protocol.js';
import { modelBanner, type ModelProvenance, type RunInfo } from './report.js';

export interface M9Result {
  readonly experiment: 'm9';
  readonly model: ModelProvenance;
  readonly run: RunInfo;
  readonly protocol: Protocol;
  /** View 1, from M6, per method (harness, fixed-best, …). */
  readonly fromM6: Readonly<Record<string, readonly TierRow[]>>;
  /** View 2: paired run at every tier's α. */
  readonly paired: { readonly tenants: number; readonly originsPerTenant: number } & PairedTierRows;
  /** View 3 (absent in outputs written before it existed). */
  readonly calibrated?: CalibratedTierView;
}

export interface M9Options extends SubsetExperimentOptions {
  readonly m6: Pick<M6Result, 'provisioning'>;
  readonly workers: number;
}

export async function runM9(options: M9Options): Promise<M9Result> {
  const protocol = options.protocol;
  const harness = options.harness ?? DEFAULT_HARNESS;
  const { ids, perTenant, cap } = evaluationSubset(options, 'm9', harness, { tenants: 100, originsPerTenant: 10 });
  const specs = pairedTierMethods(harness, cap);
  const { outcomes, wallSeconds, cpuSeconds } = await runOnSubset('M9', options, { ids, perTenant }, specs, {
    workers: options.workers,
    microBatch: true,
  });
  const view = pairedTierView(outcomes, protocol.seed);
  const fromM6: Record<string, TierRow[]> = {};
  for (const [method, byTier] of Object.entries(options.m6.provisioning)) fromM6[method] = tierRows(byTier);
  return {
    experiment: 'm9',
    model: options.model,
    run: { ...options.run, wallSeconds, cpuSeconds },
    protocol,
    fromM6,
    paired: { tenants: ids.length, originsPerTenant: perTenant, ...view.paired },
    calibrated: { method: 'conformal', validationWindows: harness.validationWindows, ...view.calibrated },
  };
}

export function m9Markdown(r: M9Result): string {
  const out: string[] = [`## M9 — SLA tiers`, '', modelBanner(r.model), ''];
  out.push(
    `### Paired: the same points at every tier's α`,
    '',
    `${r.paired.tenants} evaluation tenants (seeded subset) × ${r.paired.originsPerTenant} origins; the harness forecasts each point three times, at α = 0.90 / 0.75 / 0.65 ` +
      `(winner re-selected per α). Points dropped: ${r.paired.dropped}.`,
    '',
    ...pairedTierTable(r.paired),
    ...(r.calibrated === undefined ? [] : calibratedSection(r.calibrated, r.protocol.horizon)),
    `### From M6 (each tenant at its own tier's α)`,
    '',
  );
  for (const [method, rows] of Object.entries(r.fromM6)) {
    if (rows.length === 0) continue;
    out.push(`**${method}**`, '', tierTable(rows), '');
  }
  out.push(
    'Under-provisioned = share of observed (minute, metric) cells in the forecast hour with actual > α-quantile forecast; a calibrated α-quantile gives 1 − α. ' +
      'Level = mean over points and metrics of mean(q_α) / mean(q_0.5) over the hour (metrics with a positive median). In the M6 view tiers hold different tenants, ' +
      'so the level column mixes tier and tenant mix; the paired view isolates α. ' +
      TIES_NOTE,
    '',
  );
  return out.join('\n');
}
