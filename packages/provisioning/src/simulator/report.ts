/**
 * From per-tenant replays to one row per policy, a markdown table and the slack-vs-violation
 * frontier (a Vega-Lite spec; the caller renders it, so this package needs no chart library).
 *
 * Aggregation: slack and violation rate pool every scored step of every tenant (each step weighs
 * the same); shortfall and cost are also given relative to each tenant's total demand and then
 * averaged over tenants, because traces in different units (cores, percent, bytes on NAB) cannot
 * be summed. Absolute shortfall and cost are only meaningful when every tenant shares a unit.
 */
import type { PolicySpec } from './policy.js';
import type { TenantReplay } from './replay.js';
import { addScores, EMPTY_SCORE, meanShortfallOf, slackOf, violationRateOf } from './score.js';

export interface PolicySummary {
  readonly policy: string;
  readonly family: string;
  readonly alpha: number | 'tier' | null;
  readonly tenants: number;
  readonly steps: number;
  /** Mean over-provisioned fraction of capacity, pooled over steps. */
  readonly slack: number;
  /** Fraction of steps with demand above capacity. */
  readonly violationRate: number;
  /** Mean unserved demand per step, in the metric's units (pooled). */
  readonly meanShortfall: number;
  /** Tenant mean of Σ shortfall / Σ demand. */
  readonly relativeShortfall: number;
  /** Σ over tenants of cUnder·Σ shortfall + cOver·Σ excess (units × steps). */
  readonly totalCost: number;
  /** Tenant mean of cost / Σ demand: cost per unit of demand served. */
  readonly relativeCost: number;
  /** Capacity changes per replayed day per tenant (actuation churn). */
  readonly changesPerDay: number;
  /** Mean wall-clock ms per decision. */
  readonly msPerDecision: number;
}

export function summarise(replays: readonly TenantReplay[], specs: readonly PolicySpec[]): PolicySummary[] {
  return specs.map((spec) => {
    const mine = replays.filter((r) => r.policy === spec.name);
    const score = mine.reduce((acc, r) => addScores(acc, r.score), EMPTY_SCORE);
    const days = mine.reduce((acc, r) => acc + r.minutes / 1440, 0);
    const withDemand = mine.filter((r) => r.score.demandSum > 0);
    const tenantMean = (f: (r: TenantReplay) => number) =>
      withDemand.length === 0 ? Number.NaN : withDemand.reduce((acc, r) => acc + f(r), 0) / withDemand.length;
    return {
      policy: spec.name,
      family: spec.family,
      alpha: spec.alpha,
      tenants: mine.length,
      steps: score.steps,
      slack: slackOf(score),
      violationRate: violationRateOf(score),
      meanShortfall: meanShortfallOf(score),
      relativeShortfall: tenantMean((r) => r.score.shortfallSum / r.score.demandSum),
      totalCost: mine.reduce((acc, r) => acc + r.cost, 0),
      relativeCost: tenantMean((r) => r.cost / r.score.demandSum),
      changesPerDay: days === 0 ? Number.NaN : score.changes / days,
      msPerDecision: score.decisions === 0 ? Number.NaN : score.decideMs / score.decisions,
    };
  });
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–');
const sig = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : '–');
const alphaLabel = (a: PolicySummary['alpha']) => (a === null ? '–' : a === 'tier' ? 'tier' : String(a));

/** Markdown table; `absoluteUnits` adds the absolute shortfall and cost columns (one unit across tenants). */
export function summaryTable(rows: readonly PolicySummary[], options: { absoluteUnits?: string } = {}): string {
  const abs = options.absoluteUnits;
  const header = [
    'policy',
    'α',
    'tenants',
    'slack',
    'violation rate',
    ...(abs ? [`mean shortfall (${abs})`] : []),
    'shortfall / demand',
    ...(abs ? ['total cost'] : []),
    'cost / demand',
    'changes / day',
    'ms / decision',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const cells = [
      r.policy,
      alphaLabel(r.alpha),
      String(r.tenants),
      pct(r.slack),
      pct(r.violationRate),
      ...(abs ? [sig(r.meanShortfall)] : []),
      pct(r.relativeShortfall),
      ...(abs ? [sig(r.totalCost, 6)] : []),
      sig(r.relativeCost),
      sig(r.changesPerDay, 3),
      sig(r.msPerDecision, 3),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Where an α sweep crosses a violation rate, or why it does not. */
export type SweepAtRate =
  | { readonly reached: true; readonly slack: number; readonly alphas: readonly [number, number] }
  | { readonly reached: false; readonly lowestRate: number; readonly lowestAlpha: number }
  | null;

/**
 * The slack a family's α sweep has at a given violation rate: linear in the violation rate
 * between the two neighbouring sweep points (in α order) that bracket it — a comparison at
 * matched violation rates, which a chart read by eye only suggests. Not reached: the sweep's
 * lowest violation rate and its α; null when the family has no sweep points.
 */
export function sweepAtViolationRate(rows: readonly PolicySummary[], family: string, rate: number): SweepAtRate {
  const sweep = rows
    .filter((r) => r.family === family && typeof r.alpha === 'number' && Number.isFinite(r.violationRate))
    .sort((a, b) => (a.alpha as number) - (b.alpha as number));
  if (sweep.length === 0) return null;
  for (let i = 0; i < sweep.length; i++) {
    const a = sweep[i];
    if (a.violationRate === rate)
      return { reached: true, slack: a.slack, alphas: [a.alpha as number, a.alpha as number] };
    const b = sweep[i + 1] as PolicySummary | undefined;
    if (b === undefined) break;
    const lo = Math.min(a.violationRate, b.violationRate);
    const hi = Math.max(a.violationRate, b.violationRate);
    if (rate > lo && rate < hi) {
      const w = (rate - a.violationRate) / (b.violationRate - a.violationRate);
      return {
        reached: true,
        slack: a.slack + w * (b.slack - a.slack),
        alphas: [a.alpha as number, b.alpha as number],
      };
    }
  }
  const lowest = sweep.reduce((m, r) => (r.violationRate < m.violationRate ? r : m));
  return { reached: false, lowestRate: lowest.violationRate, lowestAlpha: lowest.alpha as number };
}

/**
 * One row per reference policy (those without an α: vpa, crane, reactive): its slack and
 * violation rate, and each sweep family's slack at that same violation rate.
 */
export function matchedViolationTable(rows: readonly PolicySummary[]): string {
  const references = rows.filter((r) => r.alpha === null);
  const families = [...new Set(rows.filter((r) => typeof r.alpha === 'number').map((r) => r.family))];
  if (references.length === 0 || families.length === 0) return '';
  const header = ['policy', 'slack', 'violation rate', ...families.map((f) => `${f} sweep: slack at that rate`)];
  const lines = [
    `| ${header.join(' | ')} |`,
    `|---|${header
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  ];
  for (const ref of references) {
    const cells = families.map((f) => {
      const at = sweepAtViolationRate(rows, f, ref.violationRate);
      if (at === null) return '–';
      if (!at.reached) return `not reached (lowest ${pct(at.lowestRate)}, α ${at.lowestAlpha})`;
      const [a, b] = at.alphas;
      return `${pct(at.slack)} (α ${a === b ? a : `${a}–${b}`})`;
    });
    lines.push(`| ${ref.policy} | ${pct(ref.slack)} | ${pct(ref.violationRate)} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Published reference: Google Autopilot (Rzadca et al., EuroSys 2020) — slack 46 % with manual
 * limits, 23 % with Autopilot.
 */
export const AUTOPILOT_REFERENCE = [
  { slack: 0.46, label: 'Borg manual limits: 46 % slack' },
  { slack: 0.23, label: 'Autopilot: 23 % slack' },
] as const;

/**
 * Slack (x) vs violation rate (y): one point per policy, a line through each α sweep, and the
 * Autopilot slack levels as vertical reference lines. Down and left is better; a policy on the
 * frontier cannot cut slack without more violations.
 */
export function frontierSpec(rows: readonly PolicySummary[], title: string): Record<string, unknown> {
  const points = rows
    .filter((r) => Number.isFinite(r.slack) && Number.isFinite(r.violationRate))
    .map((r) => ({
      policy: r.policy,
      family: r.family,
      alpha: typeof r.alpha === 'number' ? r.alpha : null,
      label: r.policy,
      slack: r.slack,
      violationRate: r.violationRate,
    }));
  const sweeps = points.filter((p) => p.alpha !== null);
  const x = {
    field: 'slack',
    type: 'quantitative',
    title: 'slack (mean over-provisioned fraction of capacity)',
    scale: { domain: [0, 1] },
    axis: { format: '%' },
  };
  // A square-root axis: the policies worth comparing sit at a few per cent, the α = 0.5 end of a
  // sweep near 50 %; on a linear axis the former collapse onto the floor.
  const y = {
    field: 'violationRate',
    type: 'quantitative',
    title: 'violation rate (fraction of minutes with demand > capacity, √ scale)',
    scale: { type: 'sqrt' },
    axis: { format: '.2~%', values: [0, 0.0025, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1] },
  };
  const color = { field: 'family', type: 'nominal', title: 'policy family' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 640,
    height: 420,
    layer: [
      {
        data: { values: AUTOPILOT_REFERENCE.map((r) => ({ ...r })) },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#888' },
        encoding: { x: { field: 'slack', type: 'quantitative' } },
      },
      {
        data: { values: AUTOPILOT_REFERENCE.map((r) => ({ ...r })) },
        mark: {
          type: 'text',
          angle: 270,
          align: 'right',
          baseline: 'bottom',
          dx: -4,
          dy: -4,
          color: '#555',
          fontSize: 11,
        },
        encoding: { x: { field: 'slack', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      },
      {
        data: { values: sweeps },
        mark: { type: 'line', point: false, strokeWidth: 1.5 },
        encoding: { x, y, color, order: { field: 'alpha', type: 'quantitative' }, detail: { field: 'family' } },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x,
          y,
          color,
          tooltip: [{ field: 'policy' }, { field: 'slack', format: '.1%' }, { field: 'violationRate', format: '.1%' }],
        },
      },
      {
        data: { values: points },
        mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 10 },
        encoding: { x, y, text: { field: 'label' }, color },
      },
    ],
  };
}
