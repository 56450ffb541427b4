/**
 * M9's paired views, shared with `series` (the same views on real series): the harness forecasts
 * the same points at every tier's α (view 2: does the level order follow α?), and the harness
 * before v2 does too (view 3: the coverage v2 buys against what it costs in α-loss). Also the
 * per-tier rows every view reports.
 */
import { TIERS, type Tier } from '@tsfm/losses';
import { compare, methodCounts, methodPoints } from './aggregate.js';
import type { TenantOutcome } from './evaluate-tenant.js';
import {
  DEFAULT_HARNESS,
  HARNESS_CONCURRENCY,
  HARNESS_V1,
  describeHarness,
  type HarnessSettings,
} from './harness-settings.js';
import { emptyTally, mergeTally, type ProvisioningTally } from './point-score.js';
import { ci, fmt, pct, table } from './report.js';
import type { MethodSpec } from './runtime.js';
import type { PairedSummary } from './stats.js';

const TIER_ORDER: readonly Tier[] = ['premium', 'standard', 'basic'];

export interface TierRow {
  readonly tier: Tier;
  readonly alpha: number;
  readonly observedCells: number;
  readonly underRate: number;
  /** Share of cells with actual ≥ the α-quantile (ties counted); NaN for outputs without the count. */
  readonly atOrAboveRate: number;
  readonly target: number;
  readonly levelRatio: number;
  /** (mean q_α − mean q_0.5) in scale units. */
  readonly uplift: number;
}

/** One tier of view 3: the uncalibrated and the calibrated harness on the same points. */
export interface CalibratedTierRow {
  readonly tier: Tier;
  readonly none: TierRow;
  readonly calibrated: TierRow;
  /** Mean scale-free α-loss of each over the points both scored. */
  readonly lossNone: number;
  readonly lossCalibrated: number;
  readonly points: number;
  /** Paired: calibrated (a) vs uncalibrated (b); relativeImprovement > 0 = calibration lowers the loss. */
  readonly comparison: PairedSummary | null;
}

/** View 2's numbers: the harness at every tier's α on the same points. */
export interface PairedTierRows {
  readonly rows: readonly TierRow[];
  readonly points: number;
  /** Share of points with level(premium) > level(standard) > level(basic). */
  readonly strictlyOrdered: number;
  /** Share with ≥ (ties allowed). */
  readonly weaklyOrdered: number;
  readonly dropped: number;
}

/** View 3: the shipped harness against the harness before v2, per tier. */
export interface CalibratedTierView {
  /** 'conformal': the shipped harness vs v1 (its `none`); 'validation-shift': older outputs. */
  readonly method: 'validation-shift' | 'conformal';
  /** Validation windows of the harness requests: residuals per metric = windows × h. */
  readonly validationWindows: number;
  readonly rows: readonly CalibratedTierRow[];
  readonly dropped: number;
}

/** Method names of views 2 and 3. */
const plainName = (tier: Tier): string => `harness@${tier}`;
const v1Name = (tier: Tier): string => `harness-v1@${tier}`;

export function tierRows(byTier: Readonly<Record<string, ProvisioningTally>>): TierRow[] {
  return TIER_ORDER.filter((t) => byTier[t] !== undefined).map((tier) => rowOf(tier, byTier[tier]));
}

function rowOf(tier: Tier, t: ProvisioningTally): TierRow {
  const alpha = TIERS[tier];
  return {
    tier,
    alpha,
    observedCells: t.observed,
    underRate: t.under / t.observed,
    atOrAboveRate: (t.atOrAbove ?? Number.NaN) / t.observed,
    target: 1 - alpha,
    levelRatio: t.ratioSum / t.ratioCount,
    uplift: t.upliftSum / t.upliftCount,
  };
}

/** View 2 and 3 of one run: what {@link pairedTierView} summarises (M9 on the fleet, and on real series). */
export interface PairedTierView {
  readonly paired: PairedTierRows;
  readonly calibrated: { readonly rows: readonly CalibratedTierRow[]; readonly dropped: number };
}

/**
 * The methods of views 2 and 3: the harness at every tier's α (`harness@<tier>`), then the harness
 * before v2 at the same α (`harness-v1@<tier>`), each on the same points; `historySteps` caps the
 * history a request sees.
 */
export function pairedTierMethods(harness: HarnessSettings, historySteps: number): MethodSpec[] {
  const at = (name: string, settings: HarnessSettings, tier: Tier): MethodSpec => ({
    kind: 'harness',
    name,
    ...settings,
    historySteps,
    alpha: TIERS[tier],
    concurrency: HARNESS_CONCURRENCY,
  });
  return [
    ...TIER_ORDER.map((tier) => at(plainName(tier), harness, tier)),
    ...TIER_ORDER.map((tier) => at(v1Name(tier), HARNESS_V1, tier)),
  ];
}

/** Views 2 and 3 from outcomes that ran {@link pairedTierMethods}; `seed` seeds the bootstrap. */
export function pairedTierView(outcomes: readonly TenantOutcome[], seed: number): PairedTierView {
  const tallyRow = (tier: Tier, name: string): TierRow => {
    const t = emptyTally();
    for (const o of outcomes) mergeTally(t, methodPoints(o, name).tally);
    return rowOf(tier, t);
  };
  const rows = TIER_ORDER.map((tier) => tallyRow(tier, plainName(tier)));
  const calibratedRows = TIER_ORDER.map((tier): CalibratedTierRow => {
    const comparison = compare(outcomes, plainName(tier), v1Name(tier), 'all', undefined, { seed });
    // Means over the points both scored (the paired summary's), not each method's own points.
    return {
      tier,
      none: tallyRow(tier, v1Name(tier)),
      calibrated: rows[TIER_ORDER.indexOf(tier)],
      lossNone: comparison.summary?.meanB ?? Number.NaN,
      lossCalibrated: comparison.summary?.meanA ?? Number.NaN,
      points: comparison.summary?.points ?? 0,
      comparison: comparison.summary,
    };
  });
  let points = 0;
  let strict = 0;
  let weak = 0;
  for (const o of outcomes) {
    const lv = TIER_ORDER.map((tier) => methodPoints(o, plainName(tier)).level);
    for (let i = 0; i < lv[0].length; i++) {
      const [p, s, b] = [lv[0][i], lv[1][i], lv[2][i]];
      if (!Number.isFinite(p) || !Number.isFinite(s) || !Number.isFinite(b)) continue;
      points++;
      if (p > s && s > b) strict++;
      if (p >= s && s >= b) weak++;
    }
  }
  const dropped = (name: (tier: Tier) => string): number =>
    TIER_ORDER.reduce((sum, tier) => sum + methodCounts(outcomes, name(tier)).dropped, 0);
  return {
    paired: {
      rows,
      points,
      strictlyOrdered: strict / points,
      weaklyOrdered: weak / points,
      dropped: dropped(plainName),
    },
    calibrated: { rows: calibratedRows, dropped: dropped(v1Name) },
  };
}

const ROW_HEADERS = [
  'tier',
  'α',
  'observed cells',
  'under-provisioned',
  'actual ≥ q_α (ties counted)',
  'target 1 − α',
  'level q_α / q_0.5',
  'uplift (scale units)',
];

function rowCells(r: TierRow): (string | number)[] {
  return [
    r.tier,
    r.alpha,
    r.observedCells,
    pct(r.underRate, 2),
    Number.isNaN(r.atOrAboveRate) ? '—' : pct(r.atOrAboveRate, 2),
    pct(r.target, 0),
    fmt(r.levelRatio),
    fmt(r.uplift),
  ];
}

/** Tier rows as a markdown table (under-provisioning against its target, level and uplift). */
export function tierTable(rows: readonly TierRow[]): string {
  return table(ROW_HEADERS, rows.map(rowCells));
}

/**
 * What the "actual ≥ q_α" column means, for the notes under a tier table: with repeated values a
 * calibrated α-quantile is exceeded less often than 1 − α, so the strict rate alone misjudges it.
 */
export const TIES_NOTE =
  'Actual ≥ q_α counts the cells at exactly the forecast too: on data with repeated values (a metric at 0 most of the time) the α-quantile of a calibrated forecast ' +
  'has under-provisioned ≤ 1 − α ≤ actual ≥ q_α, and the strict rate alone can sit far below 1 − α whatever the forecaster; on continuous data the two agree.';

/** Per tier, the harness's rows on one tenant's (file's) own points (`harness@<tier>`; view 2 per tenant). */
export function tenantTierRows(outcome: TenantOutcome): TierRow[] {
  return TIER_ORDER.map((tier) => rowOf(tier, methodPoints(outcome, plainName(tier)).tally));
}

/** View 2's table and its level-ordering line. */
export function pairedTierTable(paired: PairedTierView['paired']): string[] {
  return [
    tierTable(paired.rows),
    '',
    `Level ordering premium > standard > basic at ${pct(paired.strictlyOrdered)} of ${paired.points} points (≥ with ties: ${pct(paired.weaklyOrdered)}).`,
    '',
  ];
}

const CALIBRATED_HEADERS = [
  'tier',
  'target 1 − α',
  'under-provisioned: v1',
  'under-provisioned: v2',
  'α-loss: v1',
  'α-loss: v2',
  'α-loss change [95% CI]',
  'points',
  'uplift: v1',
  'uplift: v2',
];

/** View 3's subsection; `horizonMinutes` is the forecast hour the residuals cover. */
export function calibratedSection(c: CalibratedTierView, horizonMinutes: number): string[] {
  const change = (x: CalibratedTierRow): string => {
    const s = x.comparison;
    if (s === null) return 'n/a';
    // relativeImprovement = 1 − v2/v1; the column shows v2/v1 − 1 (positive = v2 costs loss).
    return `${pct(-s.relativeImprovement, 1)} ${ci(-s.relativeImprovementCI.hi, -s.relativeImprovementCI.lo)}`;
  };
  const legacy = c.method === 'validation-shift';
  return [
    legacy
      ? `### Paired, with calibration: \`options.calibration: 'validation-shift'\` (columns v1 = none, v2 = calibrated)`
      : '### Paired: the shipped harness (v2) against the harness before it (v1)',
    '',
    legacy
      ? 'An older output: the harness with and without its earlier opt-in calibration.'
      : `The same points forecast by the harness before the model dimension and calibration (v1: ${describeHarness(HARNESS_V1)}) ` +
        `next to the shipped one (v2, view 2: ${describeHarness(DEFAULT_HARNESS)}): v2's α-quantile is shifted by split-conformal ` +
        `quantiles of cross-fitted residuals from up to ${c.validationWindows} validation windows × ${horizonMinutes} minutes per metric ` +
        `(no extra model call). Points dropped (v1): ${c.dropped}.`,
    '',
    table(
      CALIBRATED_HEADERS,
      c.rows.map((x) => [
        x.tier,
        pct(x.none.target, 0),
        pct(x.none.underRate, 2),
        pct(x.calibrated.underRate, 2),
        fmt(x.lossNone),
        fmt(x.lossCalibrated),
        change(x),
        x.points,
        fmt(x.none.uplift),
        fmt(x.calibrated.uplift),
      ]),
    ),
    '',
    "α-loss = mean scale-free pinball loss at the tier's α over the paired points (the M6 scoring rule); change = v2 / v1 − 1, " +
      '95% CI by cluster bootstrap over tenants (target: at most +2%). Uplift = mean(q_α) − mean(q_0.5) in scale units (the median ' +
      "is the model's, unshifted): the extra capacity above the median forecast.",
    '',
  ];
}
