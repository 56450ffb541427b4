/**
 * report.html as one string: summary, the ledger, the hypothesis tree and the progress chart,
 * forecast fans, then every experiment with its analysis. Pure and deterministic: everything comes
 * from the report inputs, the fan source and the vendored scripts, so the same workdir files give
 * the same bytes (there is no generation time in it).
 *
 * The numbers are the report module's own (bestNode, rankByMetric, seedBaselines, baselineRows,
 * statusText, …), so the page says what summary.md and report.md say. The charts are the very
 * Vega-Lite specs the PNGs are drawn from, embedded as JSON and drawn in the browser.
 *
 * Self-contained: no src or href leaves the page, and a Content-Security-Policy forbids any load
 * (vega needs 'unsafe-eval': it compiles its expressions with `Function`).
 */
import { basename } from 'node:path';
import type { VegaLiteSpec } from '@tsfm/charts';
import { formatChange, formatDelta, formatMetric, METRIC_LABEL } from '../format.js';
import { paramsText } from '../markdown.js';
import { knobEffectsSection } from '../knob-effects-md.js';
import { knobEffectsSpec } from '../knob-effects-spec.js';
import { progressSpec } from '../progress-spec.js';
import { bestNode, bestPath, compareIds, countStatuses, hasMetric, relativeChange } from '../ranking.js';
import { seedBaselines } from '../seed-roles.js';
import { baselineRows, countsText, noBestText, plannerText, statusText, verdictText } from '../summary-md.js';
import type { ReportInputs, TreeNode } from '../tree-input.js';
import { treeSpec } from '../tree-spec.js';
import { anchorId, escapeHtml, jsonForScript } from './escape.js';
import type { FanSource } from './fan-data.js';
import { fanSpec } from './fan-spec.js';
import { ledgerTable } from './ledger-table.js';
import { markdownToHtml } from './markdown-html.js';
import { PAGE_CSS } from './page-css.js';
import type { VendorScripts } from './vendor.js';

/** A patch longer than this is cut on the page, as in report.md; the commit has all of it. */
const PATCH_LINES = 80;

const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'";

export interface PageAssets {
  readonly vendor: VendorScripts;
  /** client.js, the page's own script. */
  readonly client: string;
}

interface Chart {
  readonly id: string;
  readonly spec: VegaLiteSpec;
}

export function renderHtmlReport(inputs: ReportInputs, fans: FanSource, assets: PageAssets): string {
  const name = basename(inputs.paths.root);
  const anchors = experimentAnchors(inputs.nodes);
  const charts: Chart[] = [];
  const chart = (id: string, spec: VegaLiteSpec, label: string, className = ''): string => {
    charts.push({ id, spec });
    return `<div class="chart ${className}" data-spec="spec-${id}" role="img" aria-label="${escapeHtml(label)}"></div>`;
  };

  const sections = [
    summarySection(inputs, anchors),
    section('ledger', 'Ledger', [
      `<p>All ${inputs.nodes.length} experiments, lowest metric first; crashed and failed ones after those with a metric, then those still running or queued. ` +
        'Press a column header to sort by it (again to reverse); rows without a value stay last.</p>',
      inputs.nodes.length === 0 ? '<p class="note">No experiments yet.</p>' : ledgerTable(inputs.nodes, anchors),
    ]),
    section('tree', 'Hypothesis tree', [
      '<p>Each experiment under the one it was derived from, coloured by outcome; the thick orange line is the path to the best experiment. Hover a node for its hypothesis.</p>',
      `<div class="chart-scroll">${chart('tree', treeSpec(inputs.nodes), 'Hypothesis tree: experiments by parent, coloured by outcome, best path highlighted')}</div>`,
      bestPathList(inputs.nodes, anchors),
    ]),
    section('progress', 'Progress', [
      `<p>Every finished experiment in the order it finished, its ${escapeHtml(METRIC_LABEL)} on the y axis (lower is better), and the running best. Hover a point for details.</p>`,
      `<div class="chart-scroll">${chart('progress', progressSpec(inputs.nodes), 'Progress: metric per experiment in the order finished, with the running best')}</div>`,
    ]),
    knobSection(inputs, chart),
    forecastSection(inputs.nodes, fans, anchors, chart),
    experimentsSection(inputs, anchors),
  ];

  const specs = charts.map(
    (entry) =>
      `<script type="application/json" id="spec-${entry.id}">${jsonForScript(withoutSchema(entry.spec))}</script>`,
  );
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Autoresearch report: ${escapeHtml(name)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    '<header class="page-header">',
    `<h1>Autoresearch report: ${escapeHtml(name)}</h1>`,
    `<p class="lede">Metric: ${escapeHtml(METRIC_LABEL)}, from the frozen evaluator. Lower is better.</p>`,
    '<nav aria-label="Sections"><ul>' +
      [
        ['summary', 'Summary'],
        ['ledger', 'Ledger'],
        ['tree', 'Hypothesis tree'],
        ['progress', 'Progress'],
        ['forecasts', 'Forecasts'],
        ['experiments', 'Experiments'],
      ]
        .map(([id, label]) => `<li><a href="#${id}">${label}</a></li>`)
        .join('') +
      '</ul></nav>',
    '</header>',
    '<main>',
    ...sections,
    '</main>',
    '<footer class="page-footer">',
    `<p>Written by <code>run.ts report --html</code> from <code>engine/tree.json</code> and the files beside it; the same files give the same page. ` +
      `Charts drawn in the page by vega ${escapeHtml(assets.vendor.versions.vega)} and vega-lite ${escapeHtml(assets.vendor.versions.vegaLite)}, both inlined: it needs no network.</p>`,
    '</footer>',
    ...specs,
    `<script>${assets.vendor.vega}</script>`,
    `<script>${assets.vendor.vegaLite}</script>`,
    `<script>${assets.client}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** report.md's knob effects section (knob-effects-md.ts) with the chart drawn from its spec. */
function knobSection(inputs: ReportInputs, chart: (id: string, spec: VegaLiteSpec, label: string) => string): string {
  const effects = inputs.knobEffects;
  const body = knobEffectsSection(effects, { image: false }).slice(2).join('\n');
  return section('knobs', 'Knob effects', [
    `<div class="markdown">${markdownToHtml(body, 2)}</div>`,
    ...(effects && effects.knobs.length > 0
      ? [
          `<div class="chart-scroll">${chart('knobs', knobEffectsSpec(effects), 'Knob effects: mean search metric per knob value, sized by count')}</div>`,
        ]
      : []),
  ]);
}

function section(id: string, title: string, body: readonly string[]): string {
  return [
    `<section id="${id}" aria-labelledby="${id}-title">`,
    `<h2 id="${id}-title">${escapeHtml(title)}</h2>`,
    ...body,
    '</section>',
  ].join('\n');
}

/** `exp-<id>` for every experiment, in id order so an odd id's fallback name is stable too. */
function experimentAnchors(nodes: readonly TreeNode[]): Map<string, string> {
  const sorted = [...nodes].sort((a, b) => compareIds(a.id, b.id));
  return new Map(sorted.map((node, index) => [node.id, anchorId('exp', node.id, index)]));
}

function experimentLink(node: TreeNode, anchors: ReadonlyMap<string, string>): string {
  return `<a href="#${escapeHtml(anchors.get(node.id) ?? '')}">${escapeHtml(node.name)}</a> <code>${escapeHtml(node.id)}</code>`;
}

function summarySection(inputs: ReportInputs, anchors: ReadonlyMap<string, string>): string {
  const { nodes } = inputs;
  const best = bestNode(nodes);
  const baselines = seedBaselines(nodes);
  const facts: Array<[string, string]> = [
    ['Status', escapeHtml(statusText(inputs))],
    ['Experiments', escapeHtml(countsText(countStatuses(nodes)))],
    [
      'Best',
      best
        ? `${experimentLink(best, anchors)}: <strong class="metric">${formatMetric(best.metric)}</strong>` +
          `<br><span class="muted">params <code>${escapeHtml(paramsText(best.params))}</code>${best.commit ? `, commit <code>${escapeHtml(best.commit)}</code>` : ''}</span>`
        : escapeHtml(noBestText(inputs)),
    ],
  ];
  facts.push(['Verdict (confirmation split)', escapeHtml(verdictText(inputs))]);
  if (inputs.plannerSpend) facts.push(['Planner', escapeHtml(plannerText(inputs))]);
  const body = [`<dl class="facts">${facts.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>`];

  if (best && baselines.length > 0) {
    // baselineRows is summary.md's own comparison (the gap closed to the oracle included); only
    // its experiment column is Markdown, so that one is written here from the same baseline.
    const rows = baselineRows(best, baselines, inputs);
    body.push(
      '<h3>Against the seed baselines</h3>',
      '<table class="baselines"><thead><tr><th scope="col">baseline</th><th scope="col">experiment</th><th scope="col" class="num">search</th><th scope="col" class="num">confirmation</th><th scope="col">best vs baseline (search)</th><th scope="col">best vs baseline (confirmation)</th></tr></thead><tbody>',
      ...baselines.map(({ node }, index) => {
        const [label, , metric, confirmed, comparison, confirmedComparison] = rows[index] ?? [];
        return `<tr><td>${escapeHtml(label ?? '')}</td><td>${experimentLink(node, anchors)}</td><td class="num">${escapeHtml(metric ?? '')}</td><td class="num">${escapeHtml(confirmed ?? '')}</td><td>${escapeHtml(comparison ?? '')}</td><td>${escapeHtml(confirmedComparison ?? '')}</td></tr>`;
      }),
      '</tbody></table>',
    );
  }
  if (inputs.program) {
    body.push(
      `<details class="program"><summary>The question (${escapeHtml(inputs.program.path)}, first lines)</summary>`,
      `<div class="markdown">${markdownToHtml(inputs.program.text, 2)}</div>`,
      '</details>',
    );
  }
  return section('summary', 'Summary', body);
}

/** The best path in words under the tree, as report.md has it: each step and what it changed. */
function bestPathList(nodes: readonly TreeNode[], anchors: ReadonlyMap<string, string>): string {
  const path = bestPath(nodes);
  if (path.length === 0) return '<p class="note">No experiment has a metric yet, so there is no best path.</p>';
  const items = path.map((node, index) => {
    const parent = index > 0 ? path[index - 1] : undefined;
    let change = node.seed ? 'seed' : 'root';
    if (parent) {
      change =
        hasMetric(node) && hasMetric(parent)
          ? `${formatDelta(node.metric - parent.metric)} (${formatChange(relativeChange(node.metric, parent.metric))}) vs ${parent.name}`
          : `no metric to compare with ${parent.name}`;
    }
    return `<li>${experimentLink(node, anchors)} — <span class="metric">${formatMetric(node.metric)}</span>; ${escapeHtml(change)}</li>`;
  });
  return `<h3>Best path</h3><ol class="best-path">${items.join('')}</ol>`;
}

function forecastSection(
  nodes: readonly TreeNode[],
  fans: FanSource,
  anchors: ReadonlyMap<string, string>,
  chart: (id: string, spec: VegaLiteSpec, label: string, className?: string) => string,
): string {
  if (fans.kind === 'none')
    return section('forecasts', 'Forecasts', [`<p class="note" id="no-forecasts">${escapeHtml(fans.note)}</p>`]);
  const best = nodes.find((node) => node.id === fans.experimentId);
  const who = best ? experimentLink(best, anchors) : `<code>${escapeHtml(fans.experimentId)}</code>`;
  const intro =
    `<p>Forecasts of ${escapeHtml(fans.subject)}, ${who}, for ${fans.series.length} tenant${fans.series.length === 1 ? '' : 's'}: the history up to the forecast origin (the dotted rule), ` +
    `the median and the central 50%, 80% and 98% intervals${fans.series.some((series) => series.actual) ? ', and what actually happened' : ''}. ` +
    (fans.kind === 'file'
      ? `From <code>${escapeHtml(fans.from)}</code>, written by the evaluator.</p>`
      : 'Computed for this report by the template’s frozen forecaster (<code>source/prepare.ts</code>) on the fleet in <code>data/</code>, ' +
        `with the config <code>runs/${escapeHtml(fans.experimentId)}/metrics.json</code> records for each request.</p>`);
  const grid = fans.series.map((series, index) =>
    chart(
      `fan-${index}`,
      fanSpec(series),
      `Forecast fan chart for tenant ${series.tenant}, ${series.metric}: median and 50/80/98% intervals`,
      'fan',
    ),
  );
  return section('forecasts', 'Forecasts', [intro, `<div class="fan-grid">${grid.join('\n')}</div>`]);
}

function experimentsSection(inputs: ReportInputs, anchors: ReadonlyMap<string, string>): string {
  const nodes = [...inputs.nodes].sort((a, b) => compareIds(a.id, b.id));
  if (nodes.length === 0) return section('experiments', 'Experiments', ['<p class="note">None yet.</p>']);
  const analysed = nodes.filter((node) => inputs.analyses.has(node.id)).length;
  const items = nodes.map((node) => experimentDetails(node, inputs.analyses.get(node.id), anchors));
  return section('experiments', 'Experiments', [
    `<p>Every experiment in id order; ${analysed} with an analysis (<code>runs/&lt;id&gt;/analysis.md</code>). Those with an analysis or an error are shown open.</p>`,
    ...items,
  ]);
}

function experimentDetails(node: TreeNode, analysis: string | undefined, anchors: ReadonlyMap<string, string>): string {
  const anchor = anchors.get(node.id) ?? '';
  const outcome = node.decision ?? node.status;
  const facts: Array<[string, string]> = [
    ['status', escapeHtml(node.status)],
    ['decision', escapeHtml(node.decision ?? '—')],
    ['metric', formatMetric(hasMetric(node) ? node.metric : null)],
    ...(node.latencyMsP99 === null ? [] : [['latency p99', `${node.latencyMsP99.toFixed(1)} ms`] as [string, string]]),
    [
      'parent',
      node.parent
        ? `<a href="#${escapeHtml(anchors.get(node.parent) ?? '')}"><code>${escapeHtml(node.parent)}</code></a>`
        : '—',
    ],
    ['commit', node.commit ? `<code>${escapeHtml(node.commit)}</code>` : '—'],
    ...(node.startedAt || node.finishedAt
      ? [['ran', escapeHtml(`${node.startedAt ?? '?'} → ${node.finishedAt ?? '…'}`)] as [string, string]]
      : []),
    ['params', `<code>${escapeHtml(paramsText(node.params))}</code>`],
  ];
  const body = [
    `<dl class="facts compact">${facts.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>`,
  ];
  if (node.hypothesis.trim())
    body.push(`<p><strong>Hypothesis.</strong> ${escapeHtml(node.hypothesis.replace(/\s+/g, ' ').trim())}</p>`);
  if (node.error) body.push(`<p class="error"><strong>Error.</strong> ${escapeHtml(node.error.trim())}</p>`);
  if (node.patch) {
    const lines = node.patch.replace(/\n$/, '').split('\n');
    const cut = lines.length - PATCH_LINES;
    body.push(`<pre class="patch"><code>${escapeHtml(lines.slice(0, PATCH_LINES).join('\n'))}</code></pre>`);
    if (cut > 0) body.push(`<p class="muted">(${cut} more patch lines in the experiment's commit)</p>`);
  }
  if (analysis)
    body.push(
      `<div class="analysis markdown"><h4 class="analysis-title">Analysis <span class="muted">runs/${escapeHtml(node.id)}/analysis.md</span></h4>${markdownToHtml(analysis, 3)}</div>`,
    );
  return [
    `<details class="experiment outcome-${escapeHtml(outcome)}" id="${escapeHtml(anchor)}"${analysis || node.error ? ' open' : ''}>`,
    `<summary><code>${escapeHtml(node.id)}</code> <span class="exp-name">${escapeHtml(node.name)}</span> <span class="exp-outcome">${escapeHtml(outcome)}</span> <span class="metric">${formatMetric(hasMetric(node) ? node.metric : null)}</span></summary>`,
    ...body,
    '</details>',
  ].join('\n');
}

/** `$schema` is a URL the browser never needs; left out, the page holds no address at all. */
function withoutSchema(spec: VegaLiteSpec): object {
  const { $schema: _schema, ...rest } = spec;
  return rest;
}
