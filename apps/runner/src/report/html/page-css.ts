/**
 * report.html's stylesheet, inlined in a <style> element. System fonts only (the page may load
 * nothing), and colours from palette.ts where they carry meaning, so the page and the PNGs agree.
 */
import { BEST_PATH_COLOR, OUTCOME_COLORS } from '../palette.js';

export const PAGE_CSS = `
:root { --text: #1f2328; --muted: #5f6670; --line: #d8dde3; --soft: #f5f7f9; --accent: #0b5cad; --best: ${BEST_PATH_COLOR};
  --kept: ${OUTCOME_COLORS.kept}; --crashed: ${OUTCOME_COLORS.crashed}; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--text); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.86em; }
.page-header { padding: 24px 32px 12px; border-bottom: 1px solid var(--line); background: var(--soft); }
.page-header h1 { margin: 0 0 4px; font-size: 1.6rem; }
.lede { margin: 0 0 10px; color: var(--muted); }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 0; padding: 0; }
nav a { text-decoration: none; font-weight: 600; }
nav a:hover, nav a:focus-visible { text-decoration: underline; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 32px 32px; }
section { margin-top: 28px; }
h2 { font-size: 1.3rem; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
.muted { color: var(--muted); }
.note { color: var(--muted); background: var(--soft); border: 1px dashed var(--line); border-radius: 6px; padding: 10px 14px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.facts dt { font-weight: 600; color: var(--muted); }
.facts dd { margin: 0; }
.facts.compact { font-size: 0.92em; gap: 2px 12px; }
.metric { font-variant-numeric: tabular-nums; }
strong.metric { font-size: 1.15em; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.baselines td, .baselines th { font-size: 0.95em; }
.table-scroll, .chart-scroll { overflow-x: auto; }
table.ledger { width: 100%; font-size: 0.88em; }
table.ledger thead th { position: sticky; top: 0; background: #fff; padding: 0; border-bottom: 2px solid var(--line); white-space: nowrap; }
table.ledger th button { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 6px 8px; cursor: pointer; font-weight: 600; }
table.ledger th button:hover { background: var(--soft); }
table.ledger th button:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
table.ledger th[data-type="number"] button { text-align: right; }
.sort-arrow::after { content: "↕"; color: #b0b6bd; margin-left: 4px; }
th[aria-sort="ascending"] .sort-arrow::after { content: "▲"; color: var(--text); }
th[aria-sort="descending"] .sort-arrow::after { content: "▼"; color: var(--text); }
table.ledger tbody tr:hover { background: #f0f6fc; }
table.ledger tr.outcome-best { background: #fff4e8; }
table.ledger tr.outcome-crashed td.decision-crash, table.ledger tr.outcome-crashed td:nth-child(3) { color: var(--crashed); }
table.ledger tr.outcome-pending { color: var(--muted); }
td.decision-keep { color: var(--kept); font-weight: 600; }
td.decision-crash { color: var(--crashed); font-weight: 600; }
code.params { white-space: normal; }
td.hypothesis { min-width: 260px; max-width: 420px; color: #3b4249; }
.badge { display: inline-block; font-size: 0.75em; line-height: 1.4; padding: 0 6px; border-radius: 9px; vertical-align: 1px; white-space: nowrap; }
.badge-best { background: var(--best); color: #fff; font-weight: 600; }
.badge-ref { background: #e6e8eb; color: #3b4249; }
.badge-seed { background: #eef2f6; color: #3b4249; border: 1px solid #d0d7de; }
.chart { min-height: 40px; }
.chart svg { display: block; max-width: none; }
.chart-error { color: var(--crashed); }
.fan-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 12px 24px; }
.fan-grid .chart { overflow-x: auto; }
ol.best-path { margin: 4px 0; padding-left: 24px; }
ol.best-path li { margin: 2px 0; }
details.experiment { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 0 14px; }
details.experiment[open] { padding-bottom: 10px; }
details.experiment > summary { cursor: pointer; padding: 8px 0; font-weight: 600; }
details.experiment > summary .exp-outcome { font-weight: normal; color: var(--muted); margin-left: 6px; }
details.experiment > summary .metric { font-weight: normal; margin-left: 6px; }
details.outcome-keep > summary .exp-outcome { color: var(--kept); }
details.outcome-crash > summary .exp-outcome, details.outcome-failed > summary .exp-outcome { color: var(--crashed); }
details.experiment:target { outline: 2px solid var(--accent); }
.error { color: var(--crashed); }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; overflow-x: auto; }
.analysis { border-top: 1px dashed var(--line); margin-top: 8px; }
.analysis-title { font-size: 0.95rem; margin: 10px 0 4px; }
.markdown h4, .markdown h5, .markdown h6 { font-size: 0.95rem; margin: 10px 0 4px; }
.markdown table.md-table { font-size: 0.92em; margin: 6px 0; }
.markdown table.md-table th { border-bottom: 2px solid var(--line); }
details.program { margin-top: 14px; }
details.program > summary { cursor: pointer; color: var(--muted); }
.chart-tooltip { position: fixed; z-index: 10; max-width: 380px; pointer-events: none; background: #fff; border: 1px solid #b9c0c8; border-radius: 4px;
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.15); padding: 6px 8px; font-size: 12px; line-height: 1.35; }
.chart-tooltip th { color: var(--muted); font-weight: 600; padding: 1px 8px 1px 0; border: 0; vertical-align: top; white-space: nowrap; }
.chart-tooltip td { padding: 1px 0; border: 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.page-footer { max-width: 1280px; margin: 0 auto; padding: 12px 32px 32px; color: var(--muted); font-size: 0.85em; border-top: 1px solid var(--line); }
@media print {
  .page-header nav, .chart-tooltip { display: none; }
  .table-scroll, .chart-scroll { overflow: visible; }
}
`;
