/**
 * The paired comparison table every headline experiment prints (M6 on the fleet, `series` on
 * external series): the harness against each other method, with how to read it.
 */
import type { Comparison } from './aggregate.js';
import { ci, fmt, fmtP, pct } from './report.js';

/** The method every other is compared with. */
export const REFERENCE = 'harness';

export function comparisonRow(c: Comparison, label = c.other): (string | number)[] {
  const s = c.summary;
  if (s === null) return [label, 0, '—', '—', '—', '—', '—', '—', '—'];
  return [
    label,
    s.points,
    fmt(s.meanA),
    fmt(s.meanB),
    `${pct(s.relativeImprovement)} ${ci(s.relativeImprovementCI.lo, s.relativeImprovementCI.hi)}`,
    `${pct(s.winRate)} ${ci(s.winRateCI.lo, s.winRateCI.hi)}`,
    fmtP(s.wilcoxonClusters.p),
    fmtP(s.wilcoxonPoints.p),
    s.clusters,
  ];
}

export const COMPARISON_HEADERS = [
  'vs',
  'paired points',
  'harness loss',
  'other loss',
  'rel. improvement [95% CI]',
  'harness win rate [95% CI]',
  'Wilcoxon p (tenants)',
  'p (points)',
  'tenants',
];

/** How to read a comparison table; `unit` is what is resampled (tenants, files). */
export function statsNote(unit: 'tenants' | 'files', loss: string): string {
  return (
    `Loss: ${loss}; lower is better. ` +
    'Rel. improvement = 1 − mean(harness)/mean(other) over the paired points (> 0: the harness is better). Win rate = share of ' +
    'paired points where the harness loss is lower (ties ½). 95% CIs: cluster bootstrap over ' +
    `${unit} (2000 replicates; the origins of one ${unit === 'tenants' ? 'tenant' : 'file'} are correlated, so whole ${unit}, not points, are resampled). ` +
    'Wilcoxon signed-rank (normal approximation, tie-corrected, zero differences dropped): ' +
    `"${unit}" on per-${unit === 'tenants' ? 'tenant' : 'file'} mean differences (independent units: the p to read), "points" on ` +
    'raw point differences (treats correlated points as independent; overstates the evidence).'
  );
}
