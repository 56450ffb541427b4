/**
 * Markdown for people: the demand report and a recommendation, as short sections with one table
 * each. Numbers use four significant digits (format.ts), the same as the reasons, so a reader can
 * match a table cell with the sentence that explains it. The JSON is the contract; this is a view.
 */
import type { ColdStart } from './cold-start.js';
import type { DemandReport } from './demand.js';
import { fmt, fmtFactor } from './format.js';
import type { Recommendation } from './recommender.js';

/**
 * Text that comes from callers (metric names, and the reasons that quote them) escaped for
 * Markdown: a name like `a|b` must not add a table cell, `*x*` must not turn bold, and `<img>`
 * must not reach an HTML renderer (with `[` and `<` escaped, no link or tag can form). Line
 * breaks become spaces: a table row or a bullet is one line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/[\r\n]+/g, ' ');
}
const md = escapeMarkdown;

const BASELINE_TEXT: Readonly<Record<DemandReport['baselineKind'], string>> = {
  'same-time-of-week': 'same time in earlier weeks',
  'same-time-of-day': 'same time on earlier days',
  'preceding-mean': 'mean before the recent window',
};

export function renderDemandMarkdown(report: DemandReport | ColdStart): string {
  if (report.status === 'cold-start') return renderColdStart('Demand report', report);
  const w = report.windows;
  const lines = [
    '## Demand report',
    '',
    `- **Demand level:** ${report.level} (${md(report.demandMetric)}, surge factor ${fmtFactor(report.surgeFactor)})`,
    `- **Resource mode:** ${report.resourceMode}`,
    `- **Recent rate** (last ${w.recentMinutes} min): ${rate(report.recentRate)}`,
    `- **Baseline rate** (${BASELINE_TEXT[report.baselineKind]}, ${w.baselineMinutes} min): ${fmt(report.baselineRate)}`,
    `- **Predicted rate** (median, next ${w.predictMinutes} min): ${fmt(report.predictedRate)}`,
    '',
    '| metric | recent | baseline | predicted | surge factor | level |',
    '|---|---:|---:|---:|---:|---|',
    ...Object.entries(report.metrics).map(
      ([m, d]) =>
        `| ${md(m)} | ${rate(d.recentRate)} | ${fmt(d.baselineRate)} | ${fmt(d.predictedRate)} | ${fmtFactor(d.surgeFactor)} | ${d.level} |`,
    ),
    '',
    '### Recommended actions',
    '',
    ...report.actions.map((a) => `- **${a.kind}**: ${md(a.reason)}`),
  ];
  return lines.join('\n') + '\n';
}

export function renderRecommendationMarkdown(rec: Recommendation | ColdStart): string {
  if (rec.status === 'cold-start') return renderColdStart('Recommendation', rec);
  const lines = [
    '## Recommendation',
    '',
    `- **Action:** ${rec.action} (decision horizon ${rec.decisionHorizonMinutes} min, α = ${rec.alpha}, confidence ${fmt(rec.confidence)})`,
    `- **Why:** ${md(rec.reason)}`,
  ];
  if (rec.reactiveThresholds) {
    const t = rec.reactiveThresholds;
    lines.push(
      `- **Reactive autoscaler thresholds:** scale up at ${fmt(t.scaleUpUtilisation)}, down at ${fmt(t.scaleDownUtilisation)} utilisation`,
    );
  }
  if (rec.replicas) {
    const r = rec.replicas;
    const clamp = r.clampedTo ? `, clamped to ${r.clampedTo} from ${r.uncapped}` : '';
    lines.push(`- **Replicas:** ${r.desired} (binding metric: ${md(r.bindingMetric)}${clamp})`);
  }
  lines.push(
    '',
    '| metric | horizon (min) | current | target | lower bound | upper bound | confidence | action |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const [m, mr] of Object.entries(rec.metrics)) {
    for (const h of mr.horizons) {
      const mark = h === mr.decision ? ' ◀' : '';
      lines.push(
        `| ${md(m)} | ${h.horizonMinutes}${mark} | ${fmt(mr.current)} | ${fmt(h.target)} | ${fmt(h.lowerBound)} | ${fmt(h.upperBound)} | ${fmt(h.confidence)} | ${h.action} |`,
      );
    }
  }
  lines.push('', "◀ = the horizon that drives the metric's action.", '');
  return (
    lines.join('\n') +
    '\n' +
    renderDemandMarkdown(rec.demand)
      .replace(/^## /m, '### ')
      .replace(/^### Recommended/m, '#### Recommended')
  );
}

function renderColdStart(title: string, c: ColdStart): string {
  return [
    `## ${title}`,
    '',
    `**Cold start** — no recommendation yet: ${md(c.reason)}.`,
    '',
    `Minutes needed: ${c.minutesNeeded}`,
    '',
  ].join('\n');
}

function rate(x: number | null): string {
  return x === null ? 'n/a (no data)' : fmt(x);
}
